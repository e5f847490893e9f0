/**
 * Access tokens (ES256 with the local signing key, GoTrue's claims), Bearer verification (ES256
 * via the JWKS, HS256 via the legacy secret, as the CLI's GoTrue accepts both) and v1 refresh
 * token strings.
 * @module
 */
import * as jose from "jose";
import { importSigningKey, JWT_SECRET, PUBLIC_JWKS, SIGNING_JWK } from "../keys.ts";
import { forbidden, unauthorized } from "./errors.ts";

/** One amr entry: how and when the session was authenticated. */
export interface AmrEntry {
  method: string;
  timestamp: number;
}

/** The claims GoTrue puts in an access token (tokens/service.go AccessTokenClaims). */
export interface AccessTokenClaims extends jose.JWTPayload {
  iss: string;
  sub: string;
  aud: string;
  exp: number;
  iat: number;
  email: string;
  phone: string;
  app_metadata: Record<string, unknown>;
  user_metadata: Record<string, unknown>;
  role: string;
  aal: string;
  amr: AmrEntry[];
  session_id: string;
  is_anonymous: boolean;
}

/** What a verified Bearer token may carry (API keys have no sub and no session_id). */
export interface VerifiedClaims extends jose.JWTPayload {
  role?: string;
  session_id?: string;
}

const VALID_ALGORITHMS = ["HS256", "RS256", "ES256"];
const secret = new TextEncoder().encode(JWT_SECRET);
const jwks = jose.createLocalJWKSet(PUBLIC_JWKS as jose.JSONWebKeySet);
let signingKey: Promise<CryptoKey> | undefined;

/** Signs access-token claims with the local ES256 key, `kid` in the header. */
export async function signAccessToken(claims: AccessTokenClaims): Promise<string> {
  signingKey ??= importSigningKey();
  return await new jose.SignJWT(claims)
    .setProtectedHeader({ alg: "ES256", kid: SIGNING_JWK.kid, typ: "JWT" })
    .sign(await signingKey);
}

/** The token of an `Authorization: Bearer <token>` header (GoTrue's `(?i)^bearer (\S+$)`). */
export function extractBearer(request: Request): string {
  const match = /^bearer (\S+)$/i.exec(request.headers.get("authorization") ?? "");
  if (!match) throw unauthorized("no_authorization", "This endpoint requires a valid Bearer token");
  return match[1];
}

function badJwt(reason: string) {
  return forbidden("bad_jwt", `invalid JWT: unable to parse or verify signature, ${reason}`);
}

/** Go's golang-jwt wording for what went wrong, so messages read like GoTrue's. */
function describeFailure(error: unknown, alg: string | undefined): string {
  const code = (error as { code?: string }).code;
  if (code === "ERR_JWT_EXPIRED") return "token has invalid claims: token is expired";
  if (code === "ERR_JWT_CLAIM_VALIDATION_FAILED") {
    return `token has invalid claims: ${(error as Error).message}`;
  }
  if (code === "ERR_JWS_SIGNATURE_VERIFICATION_FAILED") {
    const detail = alg === "HS256" ? "signature is invalid" : "crypto/ecdsa: verification error";
    return `token signature is invalid: ${detail}`;
  }
  if (code === "ERR_JWKS_NO_MATCHING_KEY") return "invalid kid";
  return `token is malformed: ${(error as Error).message}`;
}

function protectedHeader(token: string): jose.ProtectedHeaderParameters {
  try {
    return jose.decodeProtectedHeader(token);
  } catch (error) {
    throw badJwt(`token is malformed: ${(error as Error).message}`);
  }
}

/**
 * Verifies a Bearer JWT as GoTrue's parseJWTClaims does: a `kid` selects a JWKS key, no kid with
 * HS256 means the legacy secret; only HS256/RS256/ES256 are valid.
 */
export async function verifyBearer(token: string): Promise<VerifiedClaims> {
  const header = protectedHeader(token);
  if (!header.alg || !VALID_ALGORITHMS.includes(header.alg)) {
    throw badJwt(`token signature is invalid: signing method ${header.alg} is invalid`);
  }
  if (!header.kid && header.alg !== "HS256") throw badJwt("missing kid");
  try {
    const { payload } = header.kid
      ? await jose.jwtVerify(token, jwks, { algorithms: VALID_ALGORITHMS })
      : await jose.jwtVerify(token, secret, { algorithms: ["HS256"] });
    return payload as VerifiedClaims;
  } catch (error) {
    throw badJwt(describeFailure(error, header.alg));
  }
}

const REFRESH_TOKEN_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";

/** A v1 refresh token: 12 random characters from the lower-case base32 alphabet. */
export function newRefreshToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return [...bytes].map((byte) => REFRESH_TOKEN_ALPHABET[byte % 32]).join("");
}

/** A random opaque token for the confirmation/e-mail-change columns (never mailed locally). */
export function newOpaqueToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(28));
  return [...bytes].map((byte) => byte.toString(16).padStart(2, "0")).join("");
}
