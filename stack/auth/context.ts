/**
 * What every handler works with (configuration, the pool) and the two ways a caller proves who it
 * is: a user's access token (requireAuthentication) or an admin-role JWT (requireAdminCredentials).
 * @module
 */
import type { StackConfig } from "../config.ts";
import type { Pool } from "./db.ts";
import { badRequest, forbidden } from "./errors.ts";
import { findSession, type SessionRow } from "./sessions.ts";
import { extractBearer, type VerifiedClaims, verifyBearer } from "./tokens.ts";
import { isBanned, type LoadedUser, loadUser } from "./users.ts";
import { isNilUuid, isUuid } from "./validation.ts";

/** The server's shared state. */
export interface AuthServices {
  config: StackConfig;
  db: Pool;
}

/** The JWT audience and the default role of new users (GOTRUE_JWT_AUD, JWT_DEFAULT_GROUP_NAME). */
export const AUDIENCE = "authenticated";
export const DEFAULT_ROLE = "authenticated";
/** GOTRUE_JWT_ADMIN_ROLES as the CLI sets it. */
const ADMIN_ROLES = ["service_role"];

/** A caller authenticated by a user access token. */
export interface Caller {
  claims: VerifiedClaims;
  loaded: LoadedUser;
  session: SessionRow | null;
}

async function loadSessionClaim(services: AuthServices, claims: VerifiedClaims): Promise<SessionRow | null> {
  const sessionId = claims.session_id;
  if (!sessionId || isNilUuid(sessionId)) return null;
  if (!isUuid(sessionId)) throw forbidden("bad_jwt", "invalid claim: session_id claim must be a UUID");
  const session = await findSession(services.db, sessionId);
  if (!session) throw forbidden("session_not_found", "Session from session_id claim in JWT does not exist");
  return session;
}

/** The Bearer token's user and session, which must both still exist (maybeLoadUserOrSession). */
export async function requireAuthentication(services: AuthServices, request: Request): Promise<Caller> {
  const claims = await verifyBearer(extractBearer(request));
  if (!claims.sub) throw forbidden("bad_jwt", "invalid claim: missing sub claim");
  if (!isUuid(claims.sub)) throw badRequest("bad_jwt", "invalid claim: sub claim must be a UUID");
  const loaded = await loadUser(services.db, claims.sub);
  if (!loaded) throw forbidden("user_not_found", "User from sub claim in JWT does not exist");
  const session = await loadSessionClaim(services, claims);
  if (isBanned(loaded.user)) throw forbidden("user_banned", "User is banned");
  return { claims, loaded, session };
}

/** A JWT whose role is an admin role, e.g. the service_role key (requireAdminCredentials). */
export async function requireAdmin(services: AuthServices, request: Request): Promise<VerifiedClaims> {
  const claims = await verifyBearer(extractBearer(request));
  if (!claims.role || !ADMIN_ROLES.includes(claims.role)) throw forbidden("not_admin", "User not allowed");
  await loadSessionClaim(services, claims);
  return claims;
}

/** The headers GoTrue adds so logs and the gateway can tell who a response was for. */
export function identityHeaders(userId: string, sessionId?: string | null): Record<string, string> {
  return sessionId
    ? { "sb-auth-user-id": userId, "sb-auth-session-id": sessionId }
    : { "sb-auth-user-id": userId };
}
