/**
 * Bad access tokens for the token-attack tests and the isolation proof: forged, expired, `alg: none`,
 * wrong key or audience, garbage, and the project's API keys used as user tokens.
 * @module
 */
import * as jose from "jose";
import { importSigningKey, SIGNING_JWK } from "../../stack/keys.ts";
import { env } from "./env.ts";

export interface ForgeOptions {
  key?: CryptoKey | Uint8Array;
  alg?: string;
}

/** A user token signed like the local Auth server's (ES256, its kid) unless `options` say otherwise. */
export async function forgeToken(claims: jose.JWTPayload, options: ForgeOptions = {}): Promise<string> {
  const alg = options.alg ?? "ES256";
  const now = Math.floor(Date.now() / 1000);
  return await new jose.SignJWT({
    role: "authenticated",
    aud: "authenticated",
    iat: now,
    exp: now + 3600,
    ...claims,
  })
    .setProtectedHeader({ alg, typ: "JWT", ...(alg === "ES256" ? { kid: SIGNING_JWK.kid } : {}) })
    .setSubject(typeof claims.sub === "string" ? claims.sub : crypto.randomUUID())
    .sign(options.key ?? await importSigningKey());
}

/** Every kind of token a user route must refuse, named; `sub` is the user they pretend to be. */
export async function badTokens(sub: string = crypto.randomUUID()): Promise<[string, string][]> {
  const now = Math.floor(Date.now() / 1000);
  const stranger = await jose.generateKeyPair("ES256");
  const b64 = (value: unknown) => btoa(JSON.stringify(value)).replaceAll("=", "");
  return [
    ["expired", await forgeToken({ sub, exp: now - 60, iat: now - 3700 })],
    ["not yet valid", await forgeToken({ sub, nbf: now + 600 })],
    ["wrong key", await forgeToken({ sub }, { key: stranger.privateKey })],
    [
      "wrong secret (HS256)",
      await forgeToken({ sub }, { alg: "HS256", key: new TextEncoder().encode("x".repeat(40)) }),
    ],
    ["wrong audience", await forgeToken({ sub, aud: "not-authenticated" })],
    ["alg none", `${b64({ alg: "none", typ: "JWT" })}.${b64({ sub, role: "authenticated" })}.`],
    ["garbage", "garbage"],
    ["the anon key", env.anonKey],
    ["the service-role key", env.serviceRoleKey],
  ];
}
