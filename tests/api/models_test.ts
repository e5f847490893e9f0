import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { startFakeProvider } from "../helpers/fake_providers.ts";
import { LISTED_IDS } from "../helpers/provider_fixtures.ts";
import { activateFake } from "../helpers/providers.ts";

const NO_PROVIDERS =
  "No providers are configured for this workspace. Add a provider to browse available models.";

const ids = (models: { id: string }[]) => models.map((model) => model.id);
const sorted = (values: string[]) => [...values].sort((a, b) => a.localeCompare(b));

async function importModels(user: TestUser, body: Record<string, unknown>) {
  return await call("/v1/models/import", { method: "POST", token: user.token, body });
}

Deno.test("model routes answer 401 without a valid token", async () => {
  for (const path of ["/v1/models", "/v1/models/saved", `/v1/models/${crypto.randomUUID()}`]) {
    assert.equal((await call(path, { token: "not-a-token" })).status, 401, path);
  }
});

Deno.test("with no active provider the catalogue is empty with the documented message", async () => {
  const user = await signUpUser();
  const { status, body } = await call("/v1/models", { token: user.token });
  assert.equal(status, 200);
  assert.deepEqual(body.models, []);
  assert.equal(body.message, NO_PROVIDERS);
  assert.deepEqual(body.configured_providers, []);
  assert.equal(body.missing_providers.length, 8);
  const unknown = await call("/v1/models?provider=skynet", { token: user.token });
  assert.equal(unknown.status, 400);
});

Deno.test("the catalogue lists every active provider's models and filters them", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  await using openrouter = startFakeProvider("openrouter");
  await using mistral = startFakeProvider("mistral");
  for (const fake of [groq, openrouter, mistral]) {
    assert.equal((await activateFake(user.token, fake)).status, 200);
  }

  const all = await call("/v1/models", { token: user.token });
  assert.equal(all.status, 200);
  // Providers in their listed order, each one's models by id.
  assert.deepEqual(ids(all.body.models), [
    ...sorted(LISTED_IDS.groq),
    ...sorted(LISTED_IDS.openrouter),
    ...sorted(LISTED_IDS.mistral),
  ]);
  assert.deepEqual(all.body.configured_providers, ["groq", "openrouter", "mistral"]);
  assert.equal(all.body.missing_providers.includes("groq"), false);
  assert.equal(all.body.missing_providers.length, 5);
  assert.match(all.body.message, /Found 5 models from 3 of 3 configured providers/);
  const mini = all.body.models.find((model: { id: string }) => model.id === "openai/gpt-4o-mini");
  assert.deepEqual(Object.keys(mini).sort(), [
    "context_window",
    "description",
    "id",
    "is_active",
    "max_output_tokens",
    "metadata",
    "name",
    "pricing",
    "provider",
  ]);

  const filtered = async (query: string) =>
    ids((await call(`/v1/models?${query}`, { token: user.token })).body.models);
  assert.deepEqual(await filtered("provider=GROQ"), sorted(LISTED_IDS.groq));
  assert.deepEqual(await filtered("name=llama%203.1"), ["llama-3.1-8b-instant"]);
  assert.deepEqual(await filtered("model_id=GPT-4O"), ["openai/gpt-4o-mini"]);
  // query searches descriptions and metadata too (a Mistral alias lives in metadata).
  assert.deepEqual(await filtered("query=meta-model"), ["openrouter/auto"]);
  assert.deepEqual(await filtered("query=mistral-large-latest"), ["mistral-large-2411"]);
  assert.deepEqual(await filtered("provider=openai"), []);
  const notConfigured = await call("/v1/models?provider=openai", { token: user.token });
  assert.deepEqual(notConfigured.body.missing_providers, ["openai"]);
  assert.match(notConfigured.body.message, /OpenAI is not configured/);
});

Deno.test("a provider that times out leaves a partial list that names it", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  await using slow = startFakeProvider("deepseek");
  await activateFake(user.token, groq);
  await activateFake(user.token, slow, { metadata: { timeout: 0.5 } });
  slow.behaviour.delayMs = 3000;

  const started = performance.now();
  const partial = await call("/v1/models?refresh=true", { token: user.token });
  assert.ok(performance.now() - started < 2500, "the slow provider's own timeout applies");
  assert.equal(partial.status, 200);
  assert.deepEqual(ids(partial.body.models), sorted(LISTED_IDS.groq));
  assert.deepEqual(partial.body.configured_providers, ["groq", "deepseek"]);
  assert.match(partial.body.message, /DeepSeek timed out after 0.5 s/);
  assert.deepEqual(partial.body.provider_errors, [
    { provider: "deepseek", code: "provider_timeout", detail: "DeepSeek timed out after 0.5 s." },
  ]);
  // The provider's own models route reports the failure as the request's.
  const single = await call("/v1/providers/deepseek/models?refresh=true", { token: user.token });
  assert.equal(single.status, 424);
  assert.equal(single.body.code, "provider_timeout");
});

Deno.test("the catalogue is cached per provider, base URL and key: the second call does not reach the provider", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  await activateFake(user.token, groq);
  assert.equal(groq.count("/models"), 1, "activation validated the key");

  await call("/v1/models?refresh=true", { token: user.token });
  assert.equal(groq.count("/models"), 2);
  const cached = await call("/v1/models", { token: user.token });
  assert.equal(cached.body.models.length, LISTED_IDS.groq.length);
  await call("/v1/providers/groq/models", { token: user.token });
  assert.equal(groq.count("/models"), 2, "served from the cache");

  // Another user with their own key gets their own entry.
  const other = await signUpUser();
  await activateFake(other.token, groq);
  await call("/v1/models?refresh=true", { token: other.token });
  assert.equal(groq.count("/models"), 4);
});

Deno.test("import saves configurations linked to the provider row, and re-import updates them", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  const provider = (await activateFake(user.token, groq)).body.provider;

  const imported = await importModels(user, {
    provider: "groq",
    models: ["llama-3.1-8b-instant", "openai/gpt-oss-120b"],
  });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  const [llama, gptOss] = imported.body;
  assert.equal(llama.name, "llama-3.1-8b-instant");
  assert.equal(llama.model, "llama-3.1-8b-instant");
  assert.equal(llama.display_name, "Llama 3.1 8b Instant");
  assert.equal(llama.provider, "groq");
  assert.equal(llama.provider_id, provider.id);
  assert.equal(llama.user_id, user.id);
  assert.equal(llama.is_default, false);
  assert.deepEqual(llama.settings, {
    temperature: 0.7,
    max_tokens: 2048,
    top_p: 1,
    frequency_penalty: 0,
    presence_penalty: 0,
    system_prompt: null,
    vision: null,
    // The catalogue's facts: the context window, and what the model takes (text only: no images).
    metadata: { context_window: 131072, max_output_tokens: 131072, input_modalities: ["text"] },
  });
  assert.equal(gptOss.display_name, "Openai/gpt Oss 120b");

  const again = await importModels(user, { provider: "groq", models: ["llama-3.1-8b-instant"] });
  assert.equal(again.status, 200);
  assert.equal(again.body[0].id, llama.id, "the same configuration, updated");
  assert.equal((await call("/v1/models/saved", { token: user.token })).body.length, 2);
});

Deno.test("import refuses what it cannot link or check, and saves nothing", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  const notConfigured = await importModels(user, { provider: "groq", models: ["x"] });
  assert.equal(notConfigured.status, 422);
  assert.equal(notConfigured.body.code, "provider_not_configured");
  await activateFake(user.token, groq);

  const unknown = await importModels(user, {
    provider: "groq",
    models: ["llama-3.1-8b-instant", "no-such-model"],
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, "unknown_models");
  assert.match(unknown.body.detail, /no-such-model/);
  for (
    const body of [
      { provider: "groq", models: [] },
      { provider: "groq" },
      { models: ["a"] },
      { provider: "groq", models: [{ name: "no id" }] },
      { provider: "groq", models: [42] },
      { provider: "groq", models: ["a"], settings: { temperature: 3 } },
      { provider: "groq", models: ["a"], sharedSettings: { max_tokens: 8 } },
    ]
  ) {
    assert.equal((await importModels(user, body)).status, 422, JSON.stringify(body));
  }
  assert.equal((await importModels(user, { provider: "skynet", models: ["a"] })).status, 400);
  assert.deepEqual((await call("/v1/models/saved", { token: user.token })).body, []);

  // Without sync any id is accepted, even while the provider is inactive.
  await call("/v1/providers/groq", { method: "DELETE", token: user.token });
  assert.equal(
    (await importModels(user, { provider: "groq", models: ["llama-3.1-8b-instant"] })).status,
    400,
  );
  const unsynced = await importModels(user, { provider: "groq", models: ["my-fine-tune"], sync: false });
  assert.equal(unsynced.status, 200);
  assert.deepEqual(unsynced.body[0].settings.metadata, {});
});

Deno.test("saved models: list pages, get, delete; another user's model is a 404", async () => {
  const [user, stranger] = await Promise.all([signUpUser(), signUpUser()]);
  await using groq = startFakeProvider("groq");
  await activateFake(user.token, groq);
  const names = ["m-1", "m-2", "m-3"];
  for (const name of names) await importModels(user, { provider: "groq", models: [name], sync: false });

  const first = await call("/v1/models/saved?limit=2", { token: user.token });
  assert.deepEqual(first.body.map((model: { name: string }) => model.name), ["m-1", "m-2"]);
  const cursor = first.headers.get("x-next-cursor");
  assert.equal(cursor, first.body[1].id);
  const second = await call(`/v1/models/saved?limit=2&after=${cursor}`, { token: user.token });
  assert.deepEqual(second.body.map((model: { name: string }) => model.name), ["m-3"]);
  assert.equal(second.headers.get("x-next-cursor"), null);

  const id = first.body[0].id;
  assert.equal((await call(`/v1/models/${id}`, { token: user.token })).body.name, "m-1");
  assert.equal((await call(`/v1/models/${id}`, { token: stranger.token })).status, 404);
  assert.equal((await call(`/v1/models/${id}`, { method: "DELETE", token: stranger.token })).status, 404);
  assert.equal((await call("/v1/models/not-a-uuid", { token: user.token })).status, 422);
  assert.equal((await call(`/v1/models/${id}`, { method: "DELETE", token: user.token })).status, 204);
  assert.equal((await call(`/v1/models/${id}`, { token: user.token })).status, 404);
  assert.equal((await call(`/v1/models/${id}`, { method: "DELETE", token: user.token })).status, 404);
});

Deno.test("setting a default clears the previous one; concurrent calls leave exactly one default", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  await activateFake(user.token, groq);
  const saved =
    (await importModels(user, { provider: "groq", models: ["a", "b", "c", "d"], sync: false })).body;
  const setDefault = (id: string, body?: unknown) =>
    call(`/v1/models/${id}/default`, { method: "POST", token: user.token, body });
  const defaults = async () =>
    (await call("/v1/models/saved", { token: user.token })).body.filter((m: { is_default: boolean }) =>
      m.is_default
    )
      .map((m: { name: string }) => m.name);

  const a = await setDefault(saved[0].id);
  assert.equal(a.status, 200);
  assert.equal(a.body.is_default, true);
  await setDefault(saved[1].id, { is_default: true });
  assert.deepEqual(await defaults(), ["b"]);

  const results = await Promise.all(saved.map((model: { id: string }) => setDefault(model.id)));
  assert.deepEqual(results.map((result) => result.status), [200, 200, 200, 200]);
  assert.equal((await defaults()).length, 1);

  const [current] = await defaults();
  const cleared = await setDefault(saved.find((m: { name: string }) => m.name === current).id, {
    is_default: false,
  });
  assert.equal(cleared.body.is_default, false);
  assert.deepEqual(await defaults(), []);
  assert.equal((await setDefault(crypto.randomUUID())).status, 404);
  assert.equal((await setDefault(saved[0].id, { is_default: "yes" })).status, 422);
});
