import assert from "node:assert/strict";
import * as jose from "jose";
import { createGateway } from "../../stack/gateway.ts";
import { importSigningKey, JWT_SECRET, SIGNING_JWK } from "../../stack/keys.ts";
import { env, functionsUrl } from "../helpers/env.ts";

Deno.test("the gateway routes /functions/v1/api to the api function", async () => {
  const response = await fetch(`${functionsUrl}/api/health`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get("content-type") ?? "", /application\/json/);
  const body = await response.json();
  assert.equal(body.status, "ok");
});

Deno.test("the worker answers 401 without the service credential", async () => {
  const attempts: Record<string, string>[] = [{}, { apikey: env.anonKey }, {
    authorization: `Bearer ${env.anonKey}`,
  }];
  for (const headers of attempts) {
    const response = await fetch(`${functionsUrl}/worker`, { method: "POST", headers });
    assert.equal(response.status, 401);
    assert.equal((await response.json()).code, "unauthorized");
  }
});

Deno.test("the worker accepts the legacy service-role JWT and the sb_secret_ key", async () => {
  const credentials: Record<string, string>[] = [{ authorization: `Bearer ${env.serviceRoleKey}` }, {
    apikey: env.secretKey,
  }];
  for (const headers of credentials) {
    const response = await fetch(`${functionsUrl}/worker`, { method: "POST", headers });
    assert.equal(response.status, 200, JSON.stringify(headers).slice(0, 20));
    await response.body?.cancel();
  }
});

Deno.test("an unknown function is a JSON 404", async () => {
  const response = await fetch(`${functionsUrl}/no-such-function/x`);
  assert.equal(response.status, 404);
  assert.equal((await response.json()).code, "NOT_FOUND");
});

Deno.test("CORS preflights are answered without credentials", async () => {
  const response = await fetch(`${functionsUrl}/api/v1/chats`, {
    method: "OPTIONS",
    headers: {
      origin: "http://example.test",
      "access-control-request-headers": "authorization, content-type",
    },
  });
  await response.body?.cancel();
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "http://example.test");
  assert.match(response.headers.get("access-control-allow-headers") ?? "", /authorization/);
});

/** A gateway in front of an echo function whose config asks for verify_jwt. */
async function withVerifyingGateway(run: (url: string) => Promise<void>) {
  const echo = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    return Response.json({ path: new URL(request.url).pathname });
  });
  const gateway = createGateway({
    functions: (name) => name === "echo" ? { port: echo.addr.port, verifyJwt: true } : undefined,
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gateway.fetch);
  try {
    await run(`http://127.0.0.1:${server.addr.port}/functions/v1/echo`);
  } finally {
    await server.shutdown();
    await echo.shutdown();
  }
}

async function userToken(signingKey: CryptoKey | Uint8Array, alg: string, kid?: string) {
  return await new jose.SignJWT({ role: "authenticated", aud: "authenticated" })
    .setProtectedHeader({ alg, typ: "JWT", ...(kid ? { kid } : {}) })
    .setSubject(crypto.randomUUID())
    .setIssuedAt()
    .setExpirationTime("1h")
    .sign(signingKey);
}

Deno.test("verify_jwt: a function that asks for it gets only requests with a valid JWT", async () => {
  await withVerifyingGateway(async (url) => {
    const missing = await fetch(`${url}/hello`);
    assert.equal(missing.status, 401);
    assert.deepEqual(await missing.json(), { msg: "Error: Missing authorization header" });

    const wrongSecret = await userToken(
      new TextEncoder().encode("not-the-secret-not-the-secret-123"),
      "HS256",
    );
    const other = await jose.generateKeyPair("ES256");
    const foreignEs256 = await new jose.SignJWT({ role: "authenticated" })
      .setProtectedHeader({ alg: "ES256", kid: SIGNING_JWK.kid }).setExpirationTime("1h").sign(
        other.privateKey,
      );
    for (const token of [wrongSecret, foreignEs256, "not-a-jwt"]) {
      const rejected = await fetch(`${url}/hello`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(rejected.status, 401);
      assert.deepEqual(await rejected.json(), { msg: "Invalid JWT" });
    }

    const hs256 = await userToken(new TextEncoder().encode(JWT_SECRET), "HS256");
    const es256 = await userToken(await importSigningKey(), "ES256", SIGNING_JWK.kid);
    for (const token of [env.anonKey, hs256, es256]) {
      const accepted = await fetch(`${url}/hello?x=1`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(accepted.status, 200);
      assert.deepEqual(await accepted.json(), { path: "/echo/hello" });
    }
  });
});
