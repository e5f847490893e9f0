/**
 * `requireUser`: a route's caller must present a valid Supabase access token; its verified claims
 * are put on the request as `claims`. Every refusal is a 401 with a clear detail.
 * @module
 */
import { createMiddleware } from "hono/factory";
import { ApiError } from "../errors/api-error.ts";
import type { UserClaims } from "./claims.ts";
import { config } from "../config/env.ts";
import { cachedVerifier, createTokenVerifier, type TokenVerifier, type VerifierOptions } from "./verify.ts";

let verifier: TokenVerifier | undefined;

/** One verifier per isolate, configured from the environment Supabase injects. */
function defaultVerifier(): TokenVerifier {
  if (verifier) return verifier;
  const { supabaseUrl, jwks, legacyJwtSecret } = config();
  verifier = cachedVerifier(createTokenVerifier({
    jwks: jwks as VerifierOptions["jwks"],
    jwksUrl: `${supabaseUrl}/auth/v1/.well-known/jwks.json`,
    legacySecret: legacyJwtSecret,
  }));
  return verifier;
}

export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}

export function requireUser(verify: () => TokenVerifier = defaultVerifier) {
  return createMiddleware<{ Variables: { claims: UserClaims } }>(async (c, next) => {
    // Several domains guard the same prefix (e.g. /v1/chats/*): the token is verified once.
    if (c.get("claims")) return await next();
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      throw new ApiError(
        401,
        "not_authenticated",
        "Missing bearer token: send Authorization: Bearer <access token>.",
      );
    }
    try {
      c.set("claims", await verify()(token));
    } catch (error) {
      throw new ApiError(401, "invalid_token", error instanceof Error ? error.message : "Invalid token.");
    }
    await next();
  });
}
