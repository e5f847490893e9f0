/**
 * Sign-up, sign-in, refresh and sign-out through Supabase Auth (GoTrue) with supabase-js, shaped
 * into the responses the mobile client reads. Auth errors become clear API errors, never 500s.
 * @module
 */
import type { AuthError, Session, User } from "@supabase/supabase-js";
import { supabaseJs } from "../runtime/supabase-js.ts";
import { decodeJwt } from "jose/jwt/decode";
import { config } from "../config/env.ts";
import { asUser } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import type { UserClaims } from "../auth/claims.ts";
import { takeForAddress } from "../limits/service.ts";
import { cancelPendingDeletion, getProfile } from "../users/service.ts";
import { recordSignUpCode, releaseCode, takeCodeForSignUp } from "../referrals/service.ts";
import { checkSignIn, clearFailures, recordFailure } from "./guard.ts";
import type { AccountStatus, AuthSession, AuthTokens, AuthUser } from "./schemas.ts";

/** A fresh, stateless Auth client per call: a shared one would keep one caller's session for the next. */
export async function auth() {
  const { supabaseUrl, publicKey } = config();
  const { createClient } = await supabaseJs();
  return createClient(supabaseUrl, publicKey, {
    auth: { persistSession: false, autoRefreshToken: false, detectSessionInUrl: false },
  }).auth;
}

const AUTH_ERRORS: Record<string, [number, string]> = {
  // 422, not 409: the app re-sends a 409 (with the email and password) to another host.
  user_already_exists: [422, "An account with this email already exists."],
  email_exists: [422, "An account with this email already exists."],
  weak_password: [422, "The password is too weak."],
  invalid_credentials: [401, "Invalid credentials"],
  email_not_confirmed: [403, "Confirm your email address before signing in."],
  user_banned: [403, "This account is suspended."],
  signup_disabled: [403, "Sign-ups are disabled for this project."],
  email_provider_disabled: [403, "Email sign-in is disabled for this project."],
  refresh_token_not_found: [401, "The refresh token is not valid."],
  refresh_token_already_used: [401, "The refresh token was already used."],
  session_not_found: [401, "The session has ended: sign in again."],
  session_expired: [401, "The session has expired: sign in again."],
  over_request_rate_limit: [429, "Too many requests: try again later."],
  over_email_send_rate_limit: [429, "Too many emails sent: try again later."],
};

/** Maps a supabase-js Auth error to an API error with a clear status and sentence. */
export function authFailure(error: AuthError, fallbackStatus = 400): ApiError {
  const known = error.code ? AUTH_ERRORS[error.code] : undefined;
  if (known) {
    return new ApiError(
      known[0] as 400,
      error.code === "email_exists" ? "user_already_exists" : error.code!,
      known[1],
    );
  }
  if (!error.status || error.status >= 500) return authUnavailable();
  const status = error.status === 422 ? 422 : fallbackStatus;
  return new ApiError(status as 400, error.code ?? "auth_error", error.message);
}

/** Supabase Auth itself failed: our fault, so a 5xx (the only kind the app may re-send elsewhere). */
export const authUnavailable = () =>
  new ApiError(503, "auth_unavailable", "The authentication service is unavailable. Try again later.", {
    "Retry-After": "5",
  });

const iso = (value: string | number | null | undefined) =>
  value === null || value === undefined
    ? null
    : new Date(typeof value === "number" ? value * 1000 : value).toISOString();

export function toAuthUser(user: User): AuthUser {
  const metadata = user.user_metadata ?? {};
  return {
    id: user.id,
    email: user.email ?? null,
    full_name: (metadata.full_name ?? metadata.name ?? null) as string | null,
    created_at: iso(user.created_at)!,
    last_sign_in_at: iso(user.last_sign_in_at),
  };
}

export function toTokens(session: Session): AuthTokens {
  return {
    access_token: session.access_token,
    refresh_token: session.refresh_token,
    token_type: "bearer",
    expires_in: session.expires_in,
  };
}

export function toSession(session: Session): AuthSession {
  const claims = decodeJwt(session.access_token);
  return {
    session_id: typeof claims.session_id === "string" ? claims.session_id : null,
    expires_at: iso(session.expires_at ?? claims.exp)!,
    refresh_expires_at: null,
  };
}

/** The claims of a token Auth just issued to us (no need to verify what we fetched from Auth itself). */
const claimsOf = (session: Session) => decodeJwt(session.access_token) as UserClaims;

const NO_DELETION: AccountStatus = {
  deletion_scheduled: false,
  deletion_scheduled_for: null,
  deletion_requested_at: null,
  deletion_canceled: false,
  previous_deletion_requested_at: null,
  previous_deletion_scheduled_for: null,
};

export interface SignUp {
  email: string;
  password: string;
  fullName?: string;
  inviteCode?: string;
}

/**
 * Signs up; `address` (the client's) is held to the sign-up limit first. An invite code's use is taken
 * before Auth is asked (so parallel sign-ups never pass its `max_uses`) and given back when Auth
 * makes no new account.
 */
export async function signUp({ email, password, fullName, inviteCode }: SignUp, address: string) {
  await takeForAddress("sign_up", address);
  const code = await takeCodeForSignUp(inviteCode);
  const { data, error } = await (await auth()).signUp({
    email,
    password,
    options: { data: fullName ? { full_name: fullName } : {} },
  }).catch((failure) => ({ data: { user: null, session: null }, error: failure as AuthError }));
  // With email confirmation on, Auth answers an existing address with a user that has no identity.
  const created = !error && data.user && (data.user.identities?.length ?? 1) > 0;
  if (code && !created) await releaseCode(code);
  if (error) throw authFailure(error);
  if (!data.user) throw authUnavailable();
  if (code && created) await recordSignUpCode(data.user.id, code);
  const session = data.session;
  if (session) await asUser(claimsOf(session), (tx) => getProfile(tx, session.user.id));
  return {
    user: toAuthUser(data.user),
    tokens: session ? toTokens(session) : null,
    session: session ? toSession(session) : null,
    account_status: NO_DELETION,
  };
}

/**
 * Signs in; a pending account deletion is cancelled and reported. The client's `address` is held to
 * the sign-in limit and the lockout (./guard.ts) before Auth is asked; a wrong password counts.
 */
export async function signIn(email: string, password: string, address: string) {
  await checkSignIn(email, address);
  const { data, error } = await (await auth()).signInWithPassword({ email, password });
  if (error) {
    if (error.code === "invalid_credentials") await recordFailure(email);
    throw authFailure(error, 401);
  }
  const { session, user } = data;
  const [previous] = await Promise.all([
    asUser(claimsOf(session), async (tx) => {
      await getProfile(tx, user.id);
      return await cancelPendingDeletion(tx, user.id);
    }),
    clearFailures(email, address),
  ]);
  const account_status: AccountStatus = {
    ...NO_DELETION,
    deletion_canceled: previous !== undefined,
    previous_deletion_requested_at: iso(previous?.deletion_requested_at),
    previous_deletion_scheduled_for: iso(previous?.deletion_scheduled_for),
  };
  return { user: toAuthUser(user), tokens: toTokens(session), session: toSession(session), account_status };
}

export async function refresh(refreshToken: string) {
  const { data, error } = await (await auth()).refreshSession({ refresh_token: refreshToken });
  if (error) throw authFailure(error, 401);
  if (!data.session) throw new ApiError(401, "invalid_refresh_token", "The refresh token is not valid.");
  return { tokens: toTokens(data.session), session: toSession(data.session) };
}

/** Ends the session the access token belongs to. */
export async function signOut(accessToken: string) {
  const { error } = await (await auth()).admin.signOut(accessToken, "local");
  if (error && error.status !== 404 && error.code !== "session_not_found") throw authFailure(error);
  return { revoked_sessions: error ? 0 : 1 };
}
