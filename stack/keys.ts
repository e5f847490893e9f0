/**
 * The Supabase CLI's well-known local development secrets (published in supabase/cli
 * pkg/config/apikeys.go). Public by design: they only ever guard a stack on 127.0.0.1.
 * @module
 */

export const JWT_SECRET = "super-secret-jwt-token-with-at-least-32-characters-long";

export const ANON_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6ImFub24iLCJleHAiOjE5ODM4MTI5OTZ9.CRXP1A7WOeoJeXxjNni43kdQwgnWNReilDMblYTn_I0";

export const SERVICE_ROLE_KEY =
  "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU";

export const PUBLISHABLE_KEY = "sb_publishable_ACJWlzQHlZjBrEguHvfOxg_3BJgxAaH";
export const SECRET_KEY = "sb_secret_N7UND0UgjKTVK-Uodkm0Hg_xSvEMPvz";

/** The ES256 key `supabase start` (CLI >= 2.71.1) signs user access tokens with. */
export const SIGNING_JWK = {
  kty: "EC",
  kid: "b81269f1-21d8-4f2e-b719-c2240a840d90",
  use: "sig",
  key_ops: ["sign", "verify"],
  alg: "ES256",
  crv: "P-256",
  x: "M5Sjqn5zwC9Kl1zVfUUGvv9boQjCGd45G8sdopBExB4",
  y: "P6IXMvA2WYXSHSOMTBH2jsw_9rrzGy89FjPf6oOsIxQ",
  d: "dIhR8wywJlqlua4y_yMq2SLhlFXDZJBCvFrY1DCHyVU",
};

/** The public half of {@link SIGNING_JWK}, as served at /auth/v1/.well-known/jwks.json. */
export const PUBLIC_JWKS = {
  keys: [{
    kty: SIGNING_JWK.kty,
    kid: SIGNING_JWK.kid,
    use: SIGNING_JWK.use,
    key_ops: ["verify"],
    alg: SIGNING_JWK.alg,
    crv: SIGNING_JWK.crv,
    x: SIGNING_JWK.x,
    y: SIGNING_JWK.y,
  }],
};

/** {@link SIGNING_JWK} as a WebCrypto signing key (WebCrypto refuses "verify" on a private key). */
export async function importSigningKey(): Promise<CryptoKey> {
  const { key_ops: _ops, ...jwk } = SIGNING_JWK;
  return await crypto.subtle.importKey("jwk", jwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
}
