/**
 * POST /token: the password grant and the refresh_token grant (v1 tokens: rotation, the
 * parent-of-active and reuse-interval allowances, family revocation on reuse).
 * @module
 */
import { AUDIENCE, type AuthServices } from "./context.ts";
import type { Db } from "./db.ts";
import { AuthError, badRequest, OAuthError, unprocessable } from "./errors.ts";
import { clientInfo, sessionResponse, startSession } from "./grants.ts";
import { verifyPassword } from "./passwords.ts";
import { readParams } from "./request.ts";
import {
  activeRefreshToken,
  findRefreshToken,
  findSession,
  type RefreshTokenRow,
  revokeTokenFamily,
  type SessionRow,
  swapRefreshToken,
  touchSession,
} from "./sessions.ts";
import { reload } from "./user-updates.ts";
import { findUserByEmail, findUserRow, isBanned } from "./users.ts";
import { weakPasswordNote } from "./validation.ts";

const invalidCredentials = () => badRequest("invalid_credentials", "Invalid login credentials");

/** POST /token?grant_type=password */
async function passwordGrant(services: AuthServices, request: Request): Promise<Response> {
  const params = await readParams(request, "PasswordGrantParams", {
    email: "string",
    phone: "string",
    password: "string",
  });
  if (params.email && params.phone) {
    throw badRequest(
      "validation_failed",
      "Only an email address or phone number should be provided on login.",
    );
  }
  if (params.phone) throw unprocessable("phone_provider_disabled", "Phone logins are disabled");
  if (!params.email) throw badRequest("validation_failed", "missing email or phone");

  const password = params.password ?? "";
  const user = await findUserByEmail(services.db, params.email, AUDIENCE);
  if (!user?.encrypted_password) throw invalidCredentials();
  if (isBanned(user)) throw badRequest("user_banned", "User is banned");
  if (!await verifyPassword(password, user.encrypted_password)) throw invalidCredentials();
  if (!user.email_confirmed_at) throw badRequest("email_not_confirmed", "Email not confirmed");

  const weakPassword = weakPasswordNote(password, services.config.auth.minimumPasswordLength);
  return await services.db.begin(async (tx) => {
    const session = await startSession(tx, user.id, "password", request);
    return await sessionResponse(services, tx, { ...session, loaded: await reload(tx, user.id) }, {
      weakPassword,
    });
  });
}

/** The checks GoTrue makes before locking anything: token, user, session. */
async function refreshTarget(services: AuthServices, token: string): Promise<SessionRow> {
  const found = await findRefreshToken(services.db, token);
  const user = found && await findUserRow(services.db, found.user_id);
  if (!found || !user) {
    throw badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found");
  }
  if (isBanned(user)) throw badRequest("user_banned", "Invalid Refresh Token: User Banned");
  const session = found.session_id ? await findSession(services.db, found.session_id) : null;
  if (!session) throw badRequest("session_not_found", "Invalid Refresh Token: No Valid Session Found");
  if (session.not_after && session.not_after.getTime() < Date.now()) {
    throw badRequest("session_expired", "Invalid Refresh Token: Session Expired");
  }
  return session;
}

/**
 * What a revoked token may still get: the active token if it is that token's parent (the
 * client lost the last response), a fresh child within the reuse interval, otherwise nothing.
 */
async function reuseOf(
  services: AuthServices,
  tx: Db,
  token: RefreshTokenRow,
  session: SessionRow,
): Promise<"reissue" | { active: string } | null> {
  const active = await activeRefreshToken(tx, session.id);
  if (active && active.parent === token.token) return { active: active.token };
  const reuseUntil = token.updated_at.getTime() + services.config.auth.refreshTokenReuseInterval * 1000;
  return Date.now() <= reuseUntil ? "reissue" : null;
}

type RotationOutcome = { response: Response } | { error: AuthError };

async function rotate(
  services: AuthServices,
  tx: Db,
  request: Request,
  presented: string,
  session: SessionRow,
): Promise<RotationOutcome> {
  const token = await findRefreshToken(tx, presented, true);
  if (!token) {
    return { error: badRequest("refresh_token_not_found", "Invalid Refresh Token: Refresh Token Not Found") };
  }
  let issued: string | undefined;
  if (token.revoked) {
    const reuse = await reuseOf(services, tx, token, session);
    if (reuse === null) {
      if (services.config.auth.refreshTokenRotation) await revokeTokenFamily(tx, session.id);
      return { error: badRequest("refresh_token_already_used", "Invalid Refresh Token: Already Used") };
    }
    if (reuse !== "reissue") issued = reuse.active;
  }
  issued ??= await swapRefreshToken(tx, token, session.id);
  await touchSession(tx, session.id, clientInfo(request));
  const loaded = await reload(tx, token.user_id);
  const issuedSession = { loaded, sessionId: session.id, refreshToken: issued, aal: session.aal ?? "aal1" };
  const headers = { "sb-auth-refresh-token-prefix": issued.slice(0, 5) };
  return { response: await sessionResponse(services, tx, issuedSession, { headers }) };
}

/** POST /token?grant_type=refresh_token */
async function refreshTokenGrant(services: AuthServices, request: Request): Promise<Response> {
  const params = await readParams(request, "RefreshTokenGrantParams", { refresh_token: "string" });
  const presented = params.refresh_token;
  if (!presented) throw new OAuthError("invalid_request", "refresh_token required");
  if (presented.length < 12) throw badRequest("validation_failed", "Refresh token is not valid");
  const session = await refreshTarget(services, presented);
  // The family revocation must commit even though the request fails, so the error leaves the
  // transaction as a value rather than as a throw (which would roll it back).
  const outcome = await services.db.begin((tx) => rotate(services, tx, request, presented, session));
  if ("error" in outcome) throw outcome.error;
  return outcome.response;
}

/** POST /token: `grant_type` comes from the query string. */
export async function token(services: AuthServices, request: Request): Promise<Response> {
  const grantType = new URL(request.url).searchParams.get("grant_type");
  if (grantType === "password") return await passwordGrant(services, request);
  if (grantType === "refresh_token") return await refreshTokenGrant(services, request);
  throw badRequest("invalid_credentials", "unsupported_grant_type");
}
