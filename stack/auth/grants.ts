/**
 * Issuing sessions: a new session for a signed-in user (issueRefreshToken) and the
 * AccessTokenResponse body every grant answers with.
 * @module
 */
import { type AuthServices, identityHeaders } from "./context.ts";
import type { Db } from "./db.ts";
import { clientIp } from "./request.ts";
import { addAmrClaim, type ClientInfo, createSession, sessionAmr } from "./sessions.ts";
import { signAccessToken } from "./tokens.ts";
import { touchLastSignIn } from "./user-updates.ts";
import { type LoadedUser, userJson } from "./users.ts";

/** A session's tokens once issued. */
export interface IssuedSession {
  loaded: LoadedUser;
  sessionId: string;
  refreshToken: string;
  aal: string;
}

export function clientInfo(request: Request): ClientInfo {
  return { userAgent: request.headers.get("user-agent"), ip: clientIp(request) };
}

/** Starts a session authenticated by `method` (amr) and stamps last_sign_in_at. */
export async function startSession(
  db: Db,
  userId: string,
  method: string,
  request: Request,
): Promise<Omit<IssuedSession, "loaded">> {
  const { sessionId, refreshToken } = await createSession(db, userId, clientInfo(request));
  await addAmrClaim(db, sessionId, method);
  await touchLastSignIn(db, userId);
  return { sessionId, refreshToken, aal: "aal1" };
}

/** Signs the access token for a session, with GoTrue's claims (GenerateAccessToken). */
export async function accessToken(
  services: AuthServices,
  db: Db,
  issued: IssuedSession,
): Promise<{ token: string; expiresAt: number }> {
  const { user } = issued.loaded;
  const iat = Math.floor(Date.now() / 1000);
  const exp = iat + services.config.auth.jwtExpiry;
  const token = await signAccessToken({
    iss: `${services.config.apiUrl}/auth/v1`,
    sub: user.id,
    aud: user.aud ?? "",
    exp,
    iat,
    email: user.email ?? "",
    phone: user.phone ?? "",
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    role: user.role ?? "",
    aal: issued.aal,
    amr: await sessionAmr(db, issued.sessionId),
    session_id: issued.sessionId,
    is_anonymous: user.is_anonymous,
  });
  return { token, expiresAt: exp };
}

/** The 200 AccessTokenResponse, with the sb-auth-* headers. */
export async function sessionResponse(
  services: AuthServices,
  db: Db,
  issued: IssuedSession,
  extra: { weakPassword?: unknown; headers?: Record<string, string> } = {},
): Promise<Response> {
  const { token, expiresAt } = await accessToken(services, db, issued);
  const body: Record<string, unknown> = {
    access_token: token,
    token_type: "bearer",
    expires_in: services.config.auth.jwtExpiry,
    expires_at: expiresAt,
    refresh_token: issued.refreshToken,
    user: userJson(issued.loaded),
  };
  if (extra.weakPassword) body.weak_password = extra.weakPassword;
  const headers = { ...identityHeaders(issued.loaded.user.id, issued.sessionId), ...extra.headers };
  return Response.json(body, { headers });
}
