import assert from "node:assert/strict";
import { PROVIDER_IDS } from "../../shared/llm/providers.ts";
import { apiUrl, call, signUpUser } from "../helpers/api.ts";
import { startFakeProvider } from "../helpers/fake_providers.ts";
import { LISTED_IDS } from "../helpers/provider_fixtures.ts";
import { activateFake, testKey } from "../helpers/providers.ts";

const preview = (key: string) => key.slice(0, 4) + "*".repeat(key.length - 8) + key.slice(-4);

Deno.test("provider routes answer 401 without a valid token", async () => {
  for (const path of ["/v1/providers", "/v1/providers/status", "/v1/providers/openai/models"]) {
    assert.equal((await call(path, { token: "not-a-token" })).status, 401, path);
  }
  assert.equal((await call("/v1/providers/activate", { method: "POST", body: {} })).status, 401);
});

Deno.test("every supported provider activates against its fake and lists its models", async () => {
  const user = await signUpUser();
  for (const provider of PROVIDER_IDS) {
    await using fake = startFakeProvider(provider);
    const key = testKey();
    const activated = await activateFake(user.token, fake, { apiKey: key });
    assert.equal(activated.status, 200, `${provider}: ${JSON.stringify(activated.body)}`);
    const config = activated.body.provider;
    assert.equal(config.provider, provider);
    assert.equal(config.user_id, user.id);
    assert.equal(config.base_url, fake.baseUrl);
    assert.equal(config.is_active, true);
    assert.equal(config.has_api_key, true);
    assert.equal(config.api_key_preview, preview(key));
    assert.ok(fake.requests.some((request) => request.key === key), `${provider} saw the key`);

    const listed = await call(`/v1/providers/${provider}/models`, { token: user.token });
    assert.equal(listed.status, 200, provider);
    assert.deepEqual(
      listed.body.models.map((model: { id: string }) => model.id).sort(),
      [...LISTED_IDS[provider]].sort(),
    );
    assert.deepEqual(listed.body.configured_providers, [provider]);
    assert.deepEqual(listed.body.missing_providers, []);
  }
  const list = await call("/v1/providers", { token: user.token });
  assert.deepEqual(
    list.body.map((config: { provider: string }) => config.provider).sort(),
    [...PROVIDER_IDS].sort(),
  );
});

Deno.test("activation accepts a JSON object, a JSON string, and form fields with metadata as a JSON string", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  await using openai = startFakeProvider("openai");
  await using mistral = startFakeProvider("mistral");
  const fields = (provider: string, baseUrl: string) => ({
    provider,
    api_key: testKey(),
    base_url: baseUrl,
    metadata: JSON.stringify({ timeout: 5, region: "eu" }),
  });

  const asObject = await call("/v1/providers/activate", {
    method: "POST",
    token: user.token,
    body: { ...fields("groq", groq.baseUrl), metadata: { timeout: 5, region: "eu" } },
  });
  const asString = await call("/v1/providers/activate", {
    method: "POST",
    token: user.token,
    body: JSON.stringify(JSON.stringify(fields("openai", openai.baseUrl))),
    headers: { "content-type": "application/json" },
  });
  const asForm = await call("/v1/providers/activate", {
    method: "POST",
    token: user.token,
    body: new URLSearchParams(fields("mistral", mistral.baseUrl)).toString(),
    headers: { "content-type": "application/x-www-form-urlencoded" },
  });
  for (
    const [response, provider] of [[asObject, "groq"], [asString, "openai"], [asForm, "mistral"]] as const
  ) {
    assert.equal(response.status, 200, `${provider}: ${JSON.stringify(response.body)}`);
    assert.equal(response.body.provider.provider, provider);
    assert.deepEqual(response.body.provider.metadata, { timeout: 5, region: "eu" });
  }

  await using deepseek = startFakeProvider("deepseek");
  const multipart = new FormData();
  for (const [name, value] of Object.entries(fields("deepseek", deepseek.baseUrl))) {
    multipart.set(name, value);
  }
  const asMultipart = await fetch(`${apiUrl}/v1/providers/activate`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}` },
    body: multipart,
  });
  assert.equal(asMultipart.status, 200);
  assert.equal((await asMultipart.json()).provider.provider, "deepseek");
});

Deno.test("activation bodies of any other form are a 422 that changes nothing", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  const valid = { provider: "groq", api_key: testKey(), base_url: groq.baseUrl };
  const cases: [string, Record<string, string>, unknown[]][] = [
    ["[1, 2]", { "content-type": "application/json" }, ["body"]],
    ['"just a string"', { "content-type": "application/json" }, ["body"]],
    ["{not json", { "content-type": "application/json" }, ["body"]],
    ["", { "content-type": "application/json" }, ["body"]],
    ["<provider>groq</provider>", { "content-type": "application/xml" }, ["body"]],
    // Found by proof/bad-input.ts: a multipart body that is not multipart was a 500. (Deno 2.1 reads
    // it as a form without fields, so the first problem may be a missing field instead.)
    ['{"provider": "groq"}', { "content-type": "multipart/form-data; boundary=proof" }, ["body", "*"]],
    ["--x\r\n", { "content-type": "multipart/form-data" }, ["body"]],
    [JSON.stringify({ ...valid, metadata: "{oops" }), { "content-type": "application/json" }, [
      "body",
      "metadata",
    ]],
    [JSON.stringify({ ...valid, metadata: "[1]" }), { "content-type": "application/json" }, [
      "body",
      "metadata",
    ]],
    [JSON.stringify({ ...valid, metadata: { timeout: -1 } }), { "content-type": "application/json" }, [
      "body",
      "metadata",
      "timeout",
    ]],
    [JSON.stringify({ ...valid, api_key: "short" }), { "content-type": "application/json" }, [
      "body",
      "api_key",
    ]],
    [JSON.stringify({ ...valid, base_url: "ftp://x" }), { "content-type": "application/json" }, [
      "body",
      "base_url",
    ]],
    [JSON.stringify({ api_key: testKey() }), { "content-type": "application/json" }, ["body", "provider"]],
    [JSON.stringify({ provider: "openai_compatible", api_key: testKey() }), {
      "content-type": "application/json",
    }, [
      "body",
      "base_url",
    ]],
  ];
  for (const [body, headers, loc] of cases) {
    const response = await call("/v1/providers/activate", {
      method: "POST",
      token: user.token,
      body,
      headers,
    });
    assert.equal(response.status, 422, body);
    assert.equal(response.body.code, "validation_error");
    const actual = response.body.detail[0].loc;
    assert.deepEqual(
      loc.at(-1) === "*" ? actual.slice(0, loc.length - 1) : actual,
      loc.filter((p) => p !== "*"),
      body,
    );
  }
  assert.equal(groq.count(), 0, "nothing reached the provider");
  assert.deepEqual((await call("/v1/providers", { token: user.token })).body, []);
});

Deno.test("an unknown provider is a 400; a rejected key is a 400 with the provider's reason, storing nothing", async () => {
  const user = await signUpUser();
  const unknown = await call("/v1/providers/activate", {
    method: "POST",
    token: user.token,
    body: { provider: "skynet", api_key: testKey() },
  });
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.code, "unsupported_provider");

  for (
    const [provider, reason] of [["groq", /Invalid API Key/], ["anthropic", /invalid x-api-key/]] as const
  ) {
    await using fake = startFakeProvider(provider);
    fake.behaviour.rejectKeys = true;
    const rejected = await activateFake(user.token, fake);
    assert.equal(rejected.status, 400, provider);
    assert.equal(rejected.body.code, "provider_rejected_key");
    assert.match(rejected.body.detail, reason);
  }
  // OpenRouter's model list is public: its key check is what rejects the key.
  await using openrouter = startFakeProvider("openrouter");
  openrouter.behaviour.rejectKeys = true;
  const openrouterRejected = await activateFake(user.token, openrouter);
  assert.equal(openrouterRejected.status, 400);
  assert.match(openrouterRejected.body.detail, /User not found/);
  assert.equal(openrouter.count("/key"), 1);
  assert.deepEqual((await call("/v1/providers", { token: user.token })).body, []);
});

Deno.test("a provider that is slow, down or unreachable is a 424 at activation (never 5xx)", async () => {
  const user = await signUpUser();
  await using slow = startFakeProvider("openai");
  slow.behaviour.delayMs = 3000;
  const timedOut = await activateFake(user.token, slow, { metadata: { timeout: 0.5 } });
  assert.equal(timedOut.status, 424);
  assert.equal(timedOut.body.code, "provider_timeout");
  assert.match(timedOut.body.detail, /timed out after 0.5 s/);

  await using down = startFakeProvider("groq");
  down.behaviour.failStatus = 503;
  const outage = await activateFake(user.token, down);
  assert.equal(outage.status, 424);
  assert.equal(outage.body.code, "provider_error");

  const unreachable = await call("/v1/providers/activate", {
    method: "POST",
    token: user.token,
    body: { provider: "mistral", api_key: testKey(), base_url: "http://127.0.0.1:9/v1" },
  });
  assert.equal(unreachable.status, 424);
  assert.equal(unreachable.body.code, "provider_unreachable");
  assert.deepEqual((await call("/v1/providers", { token: user.token })).body, []);
});

Deno.test("status lists every supported provider, configured or not", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  const key = testKey("gsk_");
  await activateFake(user.token, groq, { apiKey: key, displayName: "My Groq" });
  const status = await call("/v1/providers/status", { token: user.token });
  assert.equal(status.status, 200);
  assert.deepEqual(status.body.map((row: { provider: string }) => row.provider), [...PROVIDER_IDS]);
  const groqStatus = status.body.find((row: { provider: string }) => row.provider === "groq");
  assert.deepEqual(groqStatus, {
    provider: "groq",
    display_name: "My Groq",
    configured: true,
    is_active: true,
    has_api_key: true,
    api_key_preview: preview(key),
    message: "Configured and active.",
  });
  const openai = status.body.find((row: { provider: string }) => row.provider === "openai");
  assert.equal(openai.configured, false);
  assert.equal(openai.display_name, "OpenAI");
  assert.equal(openai.api_key_preview, null);
});

Deno.test("key rotation validates the new key first; a rejected one keeps the old key", async () => {
  const user = await signUpUser();
  const [oldKey, newKey, badKey] = [testKey(), testKey(), testKey()];
  await using openai = startFakeProvider("openai", { validKeys: [oldKey, newKey] });
  assert.equal((await activateFake(user.token, openai, { apiKey: oldKey })).status, 200);

  const rejected = await call("/v1/providers/openai", {
    method: "PATCH",
    token: user.token,
    body: { api_key: badKey },
  });
  assert.equal(rejected.status, 400);
  assert.equal((await call("/v1/providers", { token: user.token })).body[0].api_key_preview, preview(oldKey));

  const rotated = await call("/v1/providers/openai", {
    method: "PATCH",
    token: user.token,
    body: { api_key: newKey },
  });
  assert.equal(rotated.status, 200);
  assert.equal(rotated.body.api_key_preview, preview(newKey));
  // The catalogue now calls the provider with the new key.
  await call("/v1/providers/openai/models?refresh=true", { token: user.token });
  assert.equal(openai.requests.at(-1)!.key, newKey);
});

Deno.test("PATCH changes only what is sent; null removes the key; unknown fields are ignored; camelCase aliases", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  await using other = startFakeProvider("groq");
  await activateFake(user.token, groq, { metadata: { timeout: 5 } });

  const renamed = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { display_name: "Work Groq", metadata: { timeout: 7 } },
  });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.display_name, "Work Groq");
  assert.deepEqual(renamed.body.metadata, { timeout: 7 });
  assert.equal(renamed.body.base_url, groq.baseUrl);

  // A new base URL is checked with the stored key.
  const moved = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { base_url: other.baseUrl },
  });
  assert.equal(moved.status, 200);
  assert.equal(moved.body.base_url, other.baseUrl);
  assert.equal(other.count("/models"), 1);

  const keyless = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { api_key: null },
  });
  assert.equal(keyless.status, 200);
  assert.equal(keyless.body.has_api_key, false);
  assert.equal(keyless.body.api_key_preview, null);

  const reset = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { base_url: null },
  });
  assert.equal(reset.body.base_url, "https://api.groq.com/openai/v1");

  const typo = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { is_actve: false },
  });
  assert.equal(typo.status, 200);
  assert.equal(typo.body.is_active, true);

  const camel = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { displayName: "Camel Groq", isActive: false },
  });
  assert.equal(camel.status, 200);
  assert.equal(camel.body.display_name, "Camel Groq");
  assert.equal(camel.body.is_active, false);
  const both = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { display_name: "Snake Groq", displayName: "Camel Groq", is_active: true, isActive: false },
  });
  assert.equal(both.body.display_name, "Snake Groq");
  assert.equal(both.body.is_active, true);
  const badAlias = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { isActive: "yes" },
  });
  assert.equal(badAlias.status, 422);
  assert.equal(badAlias.body.message, "is_active: must be a boolean");

  const missing = await call("/v1/providers/openai", {
    method: "PATCH",
    token: user.token,
    body: { is_active: true },
  });
  assert.equal(missing.status, 422);
  assert.equal(missing.body.code, "provider_not_configured");
  const unsupported = await call("/v1/providers/skynet", { method: "PATCH", token: user.token, body: {} });
  assert.equal(unsupported.status, 400);
});

Deno.test("DELETE deactivates (204), keeps the row and key, and hides the provider's models", async () => {
  const user = await signUpUser();
  await using groq = startFakeProvider("groq");
  await activateFake(user.token, groq);
  assert.equal((await call("/v1/models", { token: user.token })).body.models.length, LISTED_IDS.groq.length);

  const deleted = await call("/v1/providers/groq", { method: "DELETE", token: user.token });
  assert.equal(deleted.status, 204);
  const [row] = (await call("/v1/providers", { token: user.token })).body;
  assert.equal(row.is_active, false);
  assert.equal(row.has_api_key, true);
  const catalogue = await call("/v1/models", { token: user.token });
  assert.deepEqual(catalogue.body.models, []);
  assert.deepEqual(catalogue.body.configured_providers, []);
  const single = await call("/v1/providers/groq/models", { token: user.token });
  assert.deepEqual(single.body.models, []);
  assert.deepEqual(single.body.missing_providers, ["groq"]);

  const revived = await call("/v1/providers/groq", {
    method: "PATCH",
    token: user.token,
    body: { is_active: true },
  });
  assert.equal(revived.body.is_active, true);
  assert.equal((await call("/v1/models", { token: user.token })).body.models.length, LISTED_IDS.groq.length);
  const unconfigured = await call("/v1/providers/openai", { method: "DELETE", token: user.token });
  assert.equal(unconfigured.status, 422);
  assert.equal(unconfigured.body.code, "provider_not_configured");
});

Deno.test("one user's providers are invisible to another", async () => {
  const [alice, bob] = await Promise.all([signUpUser(), signUpUser()]);
  await using groq = startFakeProvider("groq");
  await activateFake(alice.token, groq);
  assert.deepEqual((await call("/v1/providers", { token: bob.token })).body, []);
  assert.equal((await call("/v1/providers/groq", { method: "DELETE", token: bob.token })).status, 422);
  assert.deepEqual((await call("/v1/models", { token: bob.token })).body.models, []);
  assert.equal((await call("/v1/providers", { token: alice.token })).body[0].is_active, true);
});
