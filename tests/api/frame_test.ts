/** The api function's frame, through the gateway: ids, errors, 404/405, docs, CORS, health. */
import assert from "node:assert/strict";
import { call, signUpUser } from "../helpers/api.ts";
import { functionsUrl } from "../helpers/env.ts";

const api = `${functionsUrl}/api`;

Deno.test("health answers 200 with a database check, at both paths", async () => {
  for (const path of ["/health", "/v1/health"]) {
    const response = await fetch(api + path);
    assert.equal(response.status, 200);
    const body = await response.json();
    assert.equal(body.status, "ok");
    assert.equal(body.checks.database, "ok");
    assert.ok(!Number.isNaN(Date.parse(body.timestamp)));
  }
});

Deno.test("every response carries X-Request-ID: the caller's echoed, else a new UUID", async () => {
  const echoed = await fetch(`${api}/health`, { headers: { "x-request-id": "client-id-123" } });
  await echoed.body?.cancel();
  assert.equal(echoed.headers.get("x-request-id"), "client-id-123");
  const fresh = await fetch(`${api}/nope`);
  const body = await fresh.json();
  assert.match(fresh.headers.get("x-request-id") ?? "", /^[0-9a-f-]{36}$/);
  assert.equal(body.request_id, fresh.headers.get("x-request-id"));
});

Deno.test("unknown routes are JSON 404s and wrong methods JSON 405s with Allow", async () => {
  const missing = await fetch(`${api}/v1/does-not-exist`);
  assert.equal(missing.status, 404);
  assert.equal((await missing.json()).code, "not_found");

  const wrongMethod = await fetch(`${api}/health`, { method: "DELETE" });
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "GET");
  const body = await wrongMethod.json();
  assert.equal(body.code, "method_not_allowed");
  assert.equal(typeof body.detail, "string");
});

Deno.test("the landing answers JSON, or HTML when the client prefers it", async () => {
  for (const path of ["", "/v1"]) {
    const json = await fetch(api + path);
    assert.equal((await json.json()).message, "PocketLLM backend is running");
    const html = await fetch(api + path, { headers: { accept: "text/html,application/xhtml+xml" } });
    assert.match(html.headers.get("content-type") ?? "", /text\/html/);
    assert.match(await html.text(), /<h1>PocketLLM API<\/h1>/);
  }
});

Deno.test("the OpenAPI 3.1 document and the interactive docs are served", async () => {
  const doc = await (await fetch(`${api}/openapi.json`)).json();
  assert.equal(doc.openapi, "3.1.0");
  assert.ok(doc.paths["/api/health"]?.get, "health is documented");
  const docs = await fetch(`${api}/docs`);
  assert.equal(docs.status, 200);
  assert.match(await docs.text(), /swagger/i);
});

Deno.test("the OpenAPI document shows the app's routes and aliases, no status the app re-sends, unknown fields ignored", async () => {
  const doc = await (await fetch(`${api}/openapi.json`)).json();
  assert.ok(doc.paths["/api/v1/models/{model_id}"]?.patch, "PATCH /v1/models/{model_id}");
  assert.ok(doc.paths["/api/v1/users/profile/deletion"]?.post, "POST /v1/users/profile/deletion");
  assert.ok(
    doc.paths["/api/v1/users/profile"].delete.parameters.some((p: { name: string }) =>
      p.name === "immediate"
    ),
  );
  const schemas = doc.components.schemas;
  const aliases: [string, string[]][] = [
    ["ActivateProviderRequest", ["apiKey", "baseUrl", "displayName"]],
    ["UpdateProviderRequest", ["apiKey", "baseUrl", "displayName", "isActive"]],
    ["ImportModelsRequest", ["sharedSettings"]],
    ["ModelUpdate", ["displayName", "isActive"]],
    ["SetDefaultRequest", ["isDefault"]],
  ];
  for (const [name, camel] of aliases) {
    for (const alias of camel) assert.ok(schemas[name].properties[alias], `${name}.${alias}`);
  }
  assert.ok(schemas.UserProfile.properties.preferences && schemas.UserProfile.properties.onboarding);
  assert.ok(schemas.Error.properties.message);
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item as Record<string, Record<string, unknown>>)) {
      const statuses = Object.keys(operation.responses as object);
      for (const status of ["409", "502", "504"]) {
        assert.ok(!statuses.includes(status), `${method} ${path}: ${status}`);
      }
      const requestBody = operation.requestBody as { description?: string } | undefined;
      if (requestBody) assert.match(requestBody.description ?? "", /ignored/, `${method} ${path}`);
    }
  }
});

Deno.test("HTML answers carry a content security policy; every answer carries nosniff", async () => {
  const landing = await fetch(`${api}`, { headers: { accept: "text/html" } });
  await landing.body?.cancel();
  assert.match(landing.headers.get("content-security-policy") ?? "", /default-src 'none'/);
  assert.doesNotMatch(
    landing.headers.get("content-security-policy") ?? "",
    /script-src/,
    "the landing runs no script",
  );
  assert.equal(landing.headers.get("x-content-type-options"), "nosniff");

  const docs = await fetch(`${api}/docs`);
  const html = await docs.text();
  const policy = docs.headers.get("content-security-policy") ?? "";
  const inline = /<script>([\s\S]*?)<\/script>/.exec(html)![1];
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(inline));
  const hash = btoa(String.fromCharCode(...new Uint8Array(digest)));
  assert.ok(policy.includes(`'sha256-${hash}'`), "the docs' own inline script is allowed by its hash");
  assert.match(policy, /frame-ancestors 'none'/);

  const health = await fetch(`${api}/health`);
  await health.body?.cancel();
  assert.equal(health.headers.get("x-content-type-options"), "nosniff");
  assert.equal(health.headers.get("content-security-policy"), null, "JSON needs no page policy");
});

Deno.test("CORS: responses allow any origin by default", async () => {
  const response = await fetch(`${api}/health`, { headers: { origin: "https://app.example" } });
  await response.body?.cancel();
  assert.equal(response.headers.get("access-control-allow-origin"), "*");
  assert.match(response.headers.get("access-control-expose-headers") ?? "", /X-Request-ID/);
});

// Found by proof/bad-input.ts: with no body at all the validator checked `{}`, and a chat was made.
Deno.test("a required JSON body sent as nothing at all is a 422, not an empty object", async () => {
  const user = await signUpUser();
  for (const [method, path] of [["POST", "/v1/chats"], ["PUT", "/v1/users/profile"]]) {
    const response = await call(path, { method, token: user.token });
    assert.equal(response.status, 422, path);
    assert.deepEqual(response.body.detail, [{ loc: ["body"], msg: "Field required", type: "missing" }]);
  }
  assert.deepEqual((await call("/v1/chats", { token: user.token })).body, []);
});
