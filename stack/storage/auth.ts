/**
 * Who is calling Storage: the Bearer JWT (a user's ES256 access token, or the HS256 anon/service_role
 * keys) decides the database role, as in storage-api's jwt plugin. Also the signed-URL tokens.
 * @module
 */
import * as jose from "jose";
import { JWT_SECRET, PUBLIC_JWKS, PUBLISHABLE_KEY, SECRET_KEY } from "../keys.ts";
import { errors } from "./errors.ts";

/** The verified caller: the role its requests run as and the claims RLS policies see. */
export interface Caller {
  role: "anon" | "authenticated" | "service_role";
  claims: jose.JWTPayload & { role: string };
}

const secret = new TextEncoder().encode(JWT_SECRET);
const jwks = jose.createLocalJWKSet(PUBLIC_JWKS as jose.JSONWebKeySet);
const ROLES = new Set(["anon", "authenticated", "service_role"]);

/** The wording of jsonwebtoken (storage-api's verifier), which clients may match on. */
function verificationMessage(error: unknown): string {
  if (error instanceof jose.errors.JWTExpired) return "jwt expired";
  if (error instanceof jose.errors.JWSSignatureVerificationFailed) return "invalid signature";
  if (error instanceof jose.errors.JWTClaimValidationFailed) return `jwt ${error.claim} invalid`;
  return "jwt malformed";
}

async function verify(token: string): Promise<jose.JWTPayload> {
  try {
    const { alg } = jose.decodeProtectedHeader(token);
    const { payload } = alg === "HS256"
      ? await jose.jwtVerify(token, secret, { algorithms: ["HS256"] })
      : await jose.jwtVerify(token, jwks, { algorithms: ["ES256", "RS256"] });
    return payload;
  } catch (error) {
    throw errors.accessDenied(verificationMessage(error));
  }
}

/** The opaque sb_ keys stand for a role, as the platform gateway translates them. */
function roleOfApiKey(key: string): Caller | null {
  if (key === SECRET_KEY) return { role: "service_role", claims: { role: "service_role" } };
  if (key === PUBLISHABLE_KEY) return { role: "anon", claims: { role: "anon" } };
  return null;
}

/**
 * Verifies the caller from `Authorization: Bearer <jwt>`, or else the `apikey` header (what Kong
 * turns into the Authorization header). No credential at all is refused, as Storage refuses it.
 */
export async function verifyCaller(headers: Headers): Promise<Caller> {
  const bearer = /^Bearer\s+(\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  const token = bearer ?? headers.get("apikey") ?? "";
  if (!token) throw errors.accessDenied("jwt must be provided");
  const apiKeyCaller = roleOfApiKey(token);
  if (apiKeyCaller) return apiKeyCaller;
  const payload = await verify(token);
  const role = typeof payload.role === "string" ? payload.role : "anon";
  if (!ROLES.has(role)) throw errors.accessDenied(`role "${role}" is not allowed`);
  return { role: role as Caller["role"], claims: { ...payload, role } };
}

/** The caller's user id (the `sub` claim), if it has one: API keys do not. */
export function subjectOf(caller: Caller): string | null {
  return typeof caller.claims.sub === "string" ? caller.claims.sub : null;
}

/** A signed-URL token for `<bucket>/<name>`, valid for `expiresIn` seconds. */
export async function signObjectToken(url: string, expiresIn: number): Promise<string> {
  return await new jose.SignJWT({ url })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + expiresIn)
    .sign(secret);
}

/** The `<bucket>/<name>` a signed-URL token grants, or a Storage error. */
export async function verifyObjectToken(token: string): Promise<string> {
  try {
    const { payload } = await jose.jwtVerify(token, secret, { algorithms: ["HS256"] });
    if (typeof payload.url !== "string") throw errors.invalidSignature();
    return payload.url;
  } catch (error) {
    if (error instanceof Error && error.name === "StorageError") throw error;
    throw errors.invalidJwt(verificationMessage(error));
  }
}
