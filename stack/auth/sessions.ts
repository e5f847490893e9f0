/**
 * auth.sessions, auth.mfa_amr_claims and auth.refresh_tokens: creating a session with its first
 * refresh token, the amr of a session, rotating and revoking tokens, and logging out.
 * @module
 */
import type { Db } from "./db.ts";
import { type AmrEntry, newRefreshToken } from "./tokens.ts";

/** A row of auth.sessions (the columns the server reads). */
export interface SessionRow {
  id: string;
  user_id: string;
  aal: string | null;
  not_after: Date | null;
}

/** A row of auth.refresh_tokens. */
export interface RefreshTokenRow {
  id: string;
  token: string;
  user_id: string;
  parent: string | null;
  session_id: string | null;
  revoked: boolean;
  updated_at: Date;
}

/** Where a request came from, recorded on the session. */
export interface ClientInfo {
  userAgent: string | null;
  ip: string | null;
}

export async function findSession(db: Db, id: string): Promise<SessionRow | null> {
  const [row] = await db<
    SessionRow[]
  >`select id, user_id, aal, not_after from auth.sessions where id = ${id}`;
  return row ?? null;
}

/** Records (or refreshes the time of) an authentication method on a session (AddClaimToSession). */
export async function addAmrClaim(db: Db, sessionId: string, method: string): Promise<void> {
  await db`
    insert into auth.mfa_amr_claims (id, session_id, authentication_method, created_at, updated_at)
    values (${crypto.randomUUID()}, ${sessionId}, ${method}, now(), now())
    on conflict (session_id, authentication_method) do update set updated_at = now()`;
}

/** The session's amr claim, newest method first. */
export async function sessionAmr(db: Db, sessionId: string): Promise<AmrEntry[]> {
  const rows = await db<{ method: string; timestamp: number }[]>`
    select authentication_method as method, floor(extract(epoch from updated_at))::int as timestamp
    from auth.mfa_amr_claims where session_id = ${sessionId}
    order by updated_at desc`;
  return rows.map(({ method, timestamp }) => ({ method, timestamp }));
}

async function insertRefreshToken(
  db: Db,
  userId: string,
  sessionId: string,
  parent: string | null,
): Promise<string> {
  const token = newRefreshToken();
  await db`
    insert into auth.refresh_tokens (instance_id, token, user_id, parent, session_id, revoked, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${token}, ${userId}, ${parent}, ${sessionId}, false, now(), now())`;
  return token;
}

/** A new aal1 session with its first refresh token (GrantAuthenticatedUser). */
export async function createSession(
  db: Db,
  userId: string,
  client: ClientInfo,
): Promise<{ sessionId: string; refreshToken: string }> {
  const sessionId = crypto.randomUUID();
  await db`
    insert into auth.sessions (id, user_id, created_at, updated_at, aal, user_agent, ip)
    values (${sessionId}, ${userId}, now(), now(), 'aal1', ${client.userAgent}, ${client.ip})`;
  return { sessionId, refreshToken: await insertRefreshToken(db, userId, sessionId, null) };
}

/** The refresh token row, locked for the rest of the transaction when `forUpdate`. */
export async function findRefreshToken(
  db: Db,
  token: string,
  forUpdate = false,
): Promise<RefreshTokenRow | null> {
  const lock = forUpdate ? db`for update` : db``;
  const [row] = await db<RefreshTokenRow[]>`
    select id::text, token, user_id, parent, session_id, revoked, updated_at
    from auth.refresh_tokens where token = ${token} ${lock}`;
  return row ?? null;
}

/** The session's newest unrevoked refresh token (FindCurrentlyActiveRefreshToken). */
export async function activeRefreshToken(db: Db, sessionId: string): Promise<RefreshTokenRow | null> {
  const [row] = await db<RefreshTokenRow[]>`
    select id::text, token, user_id, parent, session_id, revoked, updated_at
    from auth.refresh_tokens where session_id = ${sessionId} and revoked = false
    order by id desc limit 1`;
  return row ?? null;
}

/** Revokes a token and issues its child in the same session (GrantRefreshTokenSwap). */
export async function swapRefreshToken(db: Db, old: RefreshTokenRow, sessionId: string): Promise<string> {
  await db`update auth.refresh_tokens set revoked = true, updated_at = now() where id = ${old.id}`;
  return await insertRefreshToken(db, old.user_id, sessionId, old.token);
}

/** Revokes every token of the session the token belongs to (RevokeTokenFamily). */
export async function revokeTokenFamily(db: Db, sessionId: string): Promise<void> {
  await db`
    update auth.refresh_tokens set revoked = true, updated_at = now()
    where session_id = ${sessionId} and revoked = false`;
}

/** Notes a refresh on the session (UpdateOnRefresh); refreshed_at has no time zone, so UTC. */
export async function touchSession(db: Db, sessionId: string, client: ClientInfo): Promise<void> {
  await db`
    update auth.sessions set refreshed_at = now() at time zone 'utc', updated_at = now(),
      user_agent = ${client.userAgent}, ip = ${client.ip}
    where id = ${sessionId}`;
}

/** Which sessions a logout ends. */
export type LogoutScope = "global" | "local" | "others";

/** Deletes sessions (their refresh tokens and amr claims go with them by cascade). */
export async function logout(db: Db, userId: string, scope: LogoutScope, sessionId?: string): Promise<void> {
  if (scope === "local" && sessionId) {
    await db`delete from auth.sessions where id = ${sessionId}`;
  } else if (scope === "others" && sessionId) {
    await db`delete from auth.sessions where user_id = ${userId} and id <> ${sessionId}`;
  } else {
    await db`delete from auth.sessions where user_id = ${userId}`;
  }
}
