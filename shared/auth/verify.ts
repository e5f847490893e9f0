/**
 * Verifies Supabase access tokens with jose: tokens with a `kid` against the project's JWKS
 * (`SUPABASE_JWKS`, else fetched from Auth, cached and refreshed on an unknown `kid`), HS256 tokens
 * against the legacy JWT secret when one is configured. Both paths stay live: Supabase signs user
 * tokens ES256 while legacy keys are HS256.
 * @module
 */
import type { FlattenedJWSInput, JSONWebKeySet, JWTHeaderParameters } from "jose";
// jose's parts, not its index: the index evaluates all of JOSE (encryption, key generation...).
import * as errors from "jose/errors";
import { createLocalJWKSet } from "jose/jwks/local";
import { createRemoteJWKSet } from "jose/jwks/remote";
import { jwtVerify } from "jose/jwt/verify";
import type { UserClaims } from "./claims.ts";

export interface VerifierOptions {
  /** A JWKS document (`{"keys": [...]}`) given up front, e.g. from SUPABASE_JWKS. */
  jwks?: JSONWebKeySet;
  /** Where to fetch the JWKS from when a token's `kid` is not in {@link jwks}. */
  jwksUrl?: string;
  /** The legacy HS256 secret; without it HS256 tokens are refused. */
  legacySecret?: string;
  audience?: string;
}

/** Why a token was refused, as a sentence for the 401's detail. */
export class TokenError extends Error {
  override name = "TokenError";
}

const ASYMMETRIC = ["ES256", "RS256", "EdDSA", "ES384", "RS384", "RS512", "ES512"];

export type TokenVerifier = (token: string) => Promise<UserClaims>;

export function createTokenVerifier(options: VerifierOptions): TokenVerifier {
  const local = options.jwks?.keys?.length ? createLocalJWKSet(options.jwks) : undefined;
  const remote = options.jwksUrl ? createRemoteJWKSet(new URL(options.jwksUrl)) : undefined;
  const secret = options.legacySecret ? new TextEncoder().encode(options.legacySecret) : undefined;
  const audience = options.audience ?? "authenticated";

  async function keyFor(header: JWTHeaderParameters, token: FlattenedJWSInput) {
    if (header.alg === "HS256") {
      if (!secret) throw new TokenError("HS256 tokens are not accepted by this project.");
      return secret;
    }
    if (!header.alg || !ASYMMETRIC.includes(header.alg)) throw new TokenError("Unsupported token algorithm.");
    if (local) {
      try {
        return await local(header, token);
      } catch (error) {
        if (!remote || !(error instanceof errors.JWKSNoMatchingKey)) throw error;
      }
    }
    if (remote) return await remote(header, token);
    throw new TokenError("No signing keys are configured to verify this token.");
  }

  return async (token: string) => {
    try {
      const { payload } = await jwtVerify(token, keyFor, {
        audience,
        algorithms: ["HS256", ...ASYMMETRIC],
        requiredClaims: ["sub", "exp"],
      });
      if (payload.role !== "authenticated") {
        throw new TokenError("The token is not a signed-in user's token.");
      }
      return payload as UserClaims;
    } catch (error) {
      throw error instanceof TokenError ? error : new TokenError(describe(error));
    }
  };
}

function describe(error: unknown): string {
  if (error instanceof errors.JWTExpired) return "The access token has expired.";
  if (error instanceof errors.JWTClaimValidationFailed) {
    return `The access token's ${error.claim} claim is not valid.`;
  }
  if (error instanceof errors.JWSSignatureVerificationFailed) {
    return "The access token's signature is invalid.";
  }
  if (error instanceof errors.JWKSNoMatchingKey) {
    return "The access token was signed with an unknown key.";
  }
  if (error instanceof errors.JOSEAlgNotAllowed) return "Unsupported token algorithm.";
  return "The access token is malformed.";
}

/**
 * Remembers tokens that verified, until their `exp`, so a client's repeated calls skip the
 * signature check (~0.5 ms of CPU for ES256). Only successes are kept; the oldest go first.
 */
export function cachedVerifier(verify: TokenVerifier, maxEntries = 1_000): TokenVerifier {
  const verified = new Map<string, UserClaims>();
  return async (token: string) => {
    const hit = verified.get(token);
    if (hit && hit.exp! * 1000 > Date.now()) return hit;
    verified.delete(token);
    const claims = await verify(token);
    if (verified.size >= maxEntries) verified.delete(verified.keys().next().value!);
    verified.set(token, claims);
    return claims;
  };
}
