import assert from "node:assert/strict";
import * as jose from "jose";
import { cachedVerifier, createTokenVerifier } from "../../shared/auth/verify.ts";

const secret = "a-legacy-secret-of-at-least-32-characters";
const { publicKey, privateKey } = await jose.generateKeyPair("ES256", { extractable: true });
const publicJwk = { ...await jose.exportJWK(publicKey), kid: "key-1", alg: "ES256", use: "sig" };

interface TokenOptions {
  kid?: string;
  alg?: string;
  key?: CryptoKey | Uint8Array;
  claims?: Record<string, unknown>;
  expiresIn?: string | number;
}

function token(
  { kid = "key-1", alg = "ES256", key = privateKey, claims = {}, expiresIn = "1h" }: TokenOptions = {},
) {
  return new jose.SignJWT({ role: "authenticated", aud: "authenticated", session_id: "s-1", ...claims })
    .setProtectedHeader({ alg, typ: "JWT", ...(alg === "HS256" ? {} : { kid }) })
    .setSubject("0b8f3a55-8d4c-4a40-a8a6-2a8a5f2f7c11")
    .setIssuedAt()
    .setExpirationTime(expiresIn)
    .sign(key);
}

const verify = createTokenVerifier({ jwks: { keys: [publicJwk] }, legacySecret: secret });

Deno.test("an ES256 token is verified against the JWKS and its claims returned", async () => {
  const claims = await verify(await token());
  assert.equal(claims.sub, "0b8f3a55-8d4c-4a40-a8a6-2a8a5f2f7c11");
  assert.equal(claims.session_id, "s-1");
});

Deno.test("an HS256 token is verified with the legacy secret, and refused without one", async () => {
  const hs256 = await token({ alg: "HS256", key: new TextEncoder().encode(secret) });
  assert.equal((await verify(hs256)).role, "authenticated");
  const withoutSecret = createTokenVerifier({ jwks: { keys: [publicJwk] } });
  await assert.rejects(withoutSecret(hs256), /HS256 tokens are not accepted/);
});

Deno.test("an unknown kid refreshes the JWKS from Auth", async () => {
  const rotated = await jose.generateKeyPair("ES256", { extractable: true });
  const rotatedJwk = { ...await jose.exportJWK(rotated.publicKey), kid: "key-2", alg: "ES256" };
  let fetched = 0;
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () => {
    fetched++;
    return Response.json({ keys: [publicJwk, rotatedJwk] });
  });
  try {
    const remote = createTokenVerifier({
      jwks: { keys: [publicJwk] },
      jwksUrl: `http://127.0.0.1:${server.addr.port}/auth/v1/.well-known/jwks.json`,
    });
    await remote(await token());
    assert.equal(fetched, 0, "a known kid needs no fetch");
    const claims = await remote(await token({ kid: "key-2", key: rotated.privateKey }));
    assert.equal(claims.role, "authenticated");
    assert.equal(fetched, 1);
  } finally {
    await server.shutdown();
  }
});

Deno.test("expired, wrong-audience, forged, unsigned and non-user tokens are refused with a reason", async () => {
  const forger = await jose.generateKeyPair("ES256");
  const unsigned = `${btoa(JSON.stringify({ alg: "none", typ: "JWT" }))}.${
    btoa(JSON.stringify({ sub: "x", role: "authenticated", aud: "authenticated", exp: 9999999999 }))
  }.`.replaceAll("=", "");
  const cases: [string, Promise<string> | string, RegExp][] = [
    ["expired", token({ expiresIn: Math.floor(Date.now() / 1000) - 60 }), /expired/],
    ["wrong audience", token({ claims: { aud: "somebody-else" } }), /aud claim/],
    ["forged signature", token({ key: forger.privateKey }), /signature is invalid/],
    ["unknown kid", token({ kid: "nope" }), /unknown key/],
    ["alg none", unsigned, /Unsupported token algorithm|malformed/],
    ["anon role", token({ claims: { role: "anon" } }), /not a signed-in user/],
    ["garbage", "not.a.jwt", /malformed/],
  ];
  for (const [name, candidate, reason] of cases) {
    await assert.rejects(verify(await candidate), reason, name);
  }
});

Deno.test("the verifier cache answers a repeated token without verifying again, until it expires", async () => {
  let calls = 0;
  const counting = (token: string) => {
    calls++;
    return verify(token);
  };
  const cached = cachedVerifier(counting, 2);
  const first = await token();
  await cached(first);
  await cached(first);
  assert.equal(calls, 1);
  await assert.rejects(cached("garbage"));
  await assert.rejects(cached("garbage"));
  assert.equal(calls, 3, "failures are never cached");

  const expiring = await token({ expiresIn: Math.floor(Date.now() / 1000) + 1 });
  await cached(expiring);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  await assert.rejects(cached(expiring), /expired/);
});
