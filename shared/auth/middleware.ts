/**
 * `requireUser`: a route's caller must present a valid Supabase access token; its verified claims
 * are put on the request as `claims`. Every refusal is a 401 with a clear detail.
 * @module
 */
import { createMiddleware } from "hono/factory";
import { ApiError } from "../http/errors.ts";
import type { AppEnv } from "../http/types.ts";
import { createTokenVerifier, type TokenVerifier } from "./verify.ts";

let verifier: TokenVerifier | undefined;

/** One verifier per isolate, configured from the environment Supabase injects. */
function defaultVerifier(): TokenVerifier {
  if (verifier) return verifier;
  const url = Deno.env.get("SUPABASE_URL");
  const jwks = Deno.env.get("SUPABASE_JWKS");
  verifier = createTokenVerifier({
    jwks: jwks ? JSON.parse(jwks) : undefined,
    jwksUrl: url ? `${url}/auth/v1/.well-known/jwks.json` : undefined,
    legacySecret: Deno.env.get("JWT_SECRET") || undefined,
  });
  return verifier;
}

export function bearerToken(header: string | undefined): string | undefined {
  return /^Bearer\s+(\S+)$/i.exec(header ?? "")?.[1];
}

export function requireUser(verify: () => TokenVerifier = defaultVerifier) {
  return createMiddleware<AppEnv>(async (c, next) => {
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
