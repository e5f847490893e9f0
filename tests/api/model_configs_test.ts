/**
 * Saved models as the app sends them: import items as strings or objects, shared settings applied to
 * every model (and nothing else reaching the provider), PATCH, camelCase aliases, and the app's
 * client-side providers (saved here, never called).
 */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { createChat, withDb } from "../helpers/chats.ts";
import { openAiJson, startFakeLlm } from "../helpers/fake_llm.ts";
import { testKey } from "../helpers/providers.ts";

const post = (user: TestUser, path: string, body: unknown, method = "POST") =>
  call(path, { method, token: user.token, body });

async function userWithFakeOpenAi(baseUrl: string) {
  const user = await signUpUser();
  const activated = await post(user, "/v1/providers/activate", {
    provider: "openai",
    apiKey: testKey(),
    baseUrl,
  });
  assert.equal(activated.status, 200, JSON.stringify(activated.body));
  return { user, providerRowId: activated.body.provider.id as string };
}

Deno.test("import takes ids and objects, applies the shared settings to each, and only they reach the provider", async () => {
  await using fake = startFakeLlm();
  const { user, providerRowId } = await userWithFakeOpenAi(fake.baseUrl);
  const imported = await post(user, "/v1/models/import", {
    provider: "openai",
    provider_id: providerRowId,
    models: ["fake-model", {
      model: "fake-small",
      name: "Tiny",
      description: "Small one",
      metadata: { tag: "x" },
    }],
    sharedSettings: {
      temperature: 0.2,
      max_tokens: 512,
      top_p: null,
      system_prompt: "Be brief.",
      seed: 42,
      tools: [{ type: "function" }],
    },
    isDefault: true,
  });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  const [big, small] = imported.body;
  assert.equal(big.display_name, "Fake Model");
  assert.equal(big.provider_id, providerRowId);
  assert.deepEqual(
    [small.name, small.display_name, small.description, small.settings.metadata],
    ["fake-small", "Tiny", "Small one", { tag: "x" }],
  );
  for (const model of imported.body) {
    const { metadata: _, ...settings } = model.settings;
    assert.deepEqual(settings, {
      temperature: 0.2,
      max_tokens: 512,
      top_p: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      system_prompt: "Be brief.",
      vision: null,
    });
  }

  await post(user, `/v1/models/${big.id}/default`, {});
  const chat = await createChat(user, { title: "Named, so no title request follows" });
  fake.script({ json: openAiJson({ text: "Hi." }) });
  const reply = await post(user, `/v1/chats/${chat.id}/messages`, { content: "Hello" });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const sent = fake.requests.at(-1)!.body;
  assert.equal(sent.temperature, 0.2);
  assert.equal(sent.max_tokens ?? sent.max_completion_tokens, 512);
  assert.deepEqual(sent.messages[0], { role: "system", content: "Be brief." });
  assert.equal("seed" in sent, false);
  assert.equal("tools" in sent, false);
});

Deno.test("importing again applies new settings and keeps the rest; without settings nothing changes", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeOpenAi(fake.baseUrl);
  const first = await post(user, "/v1/models/import", {
    provider: "openai",
    models: ["fake-model"],
    settings: { temperature: 0.3, max_tokens: 256 },
  });
  const again = await post(user, "/v1/models/import", {
    provider: "openai",
    models: [{ id: "fake-model" }],
    settings: { temperature: 1.1 },
  });
  assert.equal(again.body[0].id, first.body[0].id);
  assert.equal(again.body[0].settings.temperature, 1.1);
  assert.equal(again.body[0].settings.max_tokens, 256);
  const plain = await post(user, "/v1/models/import", { provider: "openai", models: ["fake-model"] });
  assert.equal(plain.body[0].settings.temperature, 1.1);
});

Deno.test("PATCH edits the display name, settings (only those sent) and active flag; bad input changes nothing", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeOpenAi(fake.baseUrl);
  const [model] = (await post(user, "/v1/models/import", {
    provider: "openai",
    models: ["fake-model"],
    settings: { system_prompt: "Old.", metadata: { note: "a" } },
  })).body;
  const path = `/v1/models/${model.id}`;

  const edited = await post(user, path, {
    displayName: "My model",
    settings: { temperature: 1.5, metadata: { color: "blue" }, unknown_knob: 3 },
    isActive: false,
    theme: "ignored",
  }, "PATCH");
  assert.equal(edited.status, 200, JSON.stringify(edited.body));
  assert.equal(edited.body.display_name, "My model");
  assert.equal(edited.body.is_active, false);
  assert.equal(edited.body.settings.temperature, 1.5);
  assert.equal(edited.body.settings.system_prompt, "Old.");
  assert.deepEqual(edited.body.settings.metadata, { ...model.settings.metadata, note: "a", color: "blue" });

  const both = await post(user, path, { display_name: "Snake", displayName: "Camel" }, "PATCH");
  assert.equal(both.body.display_name, "Snake");
  const cleared = await post(user, path, { settings: { system_prompt: null } }, "PATCH");
  assert.equal(cleared.body.settings.system_prompt, null);

  for (const body of [{ settings: { temperature: 9 } }, { display_name: "" }, { is_active: "no" }]) {
    const refused = await post(user, path, body, "PATCH");
    assert.equal(refused.status, 422, JSON.stringify(body));
    assert.equal(typeof refused.body.message, "string");
  }
  const after = await call(path, { token: user.token });
  assert.deepEqual(
    [after.body.display_name, after.body.settings.temperature, after.body.is_active],
    ["Snake", 1.5, false],
  );
  const stranger = await signUpUser();
  assert.equal((await post(stranger, path, { display_name: "Mine" }, "PATCH")).status, 404);
});

Deno.test("the app's client-side providers are saved without a provider row and never asked for a reply", async () => {
  const user = await signUpUser();
  const imported = await post(user, "/v1/models/import", {
    provider: "ollama",
    models: ["llama3.2:3b", { id: "qwen2.5:7b", name: "Qwen on phone" }],
  });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  assert.deepEqual(imported.body.map((m: { provider: string }) => m.provider), ["ollama", "ollama"]);
  assert.equal(imported.body[0].provider_id, null);
  const studio = await post(user, "/v1/models/import", {
    provider: "LMStudio",
    models: ["phi-4"],
    sync: true,
  });
  assert.equal(studio.status, 200, JSON.stringify(studio.body));
  assert.equal(studio.body[0].provider, "lmstudio");
  assert.equal((await call("/v1/models/saved", { token: user.token })).body.length, 3);

  const [local] = imported.body;
  assert.equal((await post(user, `/v1/models/${local.id}/default`, { isDefault: true })).status, 200);
  const chat = await createChat(user);
  const refused = await post(user, `/v1/chats/${chat.id}/messages`, { content: "Hello" });
  assert.equal(refused.status, 422);
  assert.equal(refused.body.code, "client_side_provider");
  const stored = await withDb((sql) =>
    sql`select count(*)::int as n from public.messages where chat_id = ${chat.id}`
  );
  assert.equal(stored[0].n, 0, "the refused turn stores nothing");
  // Messages the app stores itself (its own replies) are not replies requested of the server.
  const own = await post(user, `/v1/chats/${chat.id}/messages`, {
    role: "assistant",
    content: "From the phone",
  });
  assert.equal(own.status, 200);

  const cleared = await post(user, `/v1/models/${local.id}/default`, { isDefault: false });
  assert.equal(cleared.body.is_default, false);
});

Deno.test("model lists carry using_fallback: false", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeOpenAi(fake.baseUrl);
  for (const path of ["/v1/models", "/v1/providers/openai/models", "/v1/providers/groq/models"]) {
    const { status, body } = await call(path, { token: user.token });
    assert.equal(status, 200, path);
    assert.equal(body.using_fallback, false, path);
  }
});
