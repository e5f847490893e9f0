/**
 * Changing the signed-in user's password as Supabase Auth (GoTrue) itself does it, never touching
 * auth.users: the current password is checked with a password grant for the token's email, held to
 * the sign-in limit and lockout (./guard.ts) so that this route is no way around them to guess
 * passwords; then the new one is set as the user (`PUT /user`, which keeps the caller's session) and
 * the user's other sessions are ended (`POST /logout?scope=others`).
 * @module
 */
import { supabaseJs } from "../runtime/supabase-js.ts";
import type { UserClaims } from "../auth/claims.ts";
import { config } from "../config/env.ts";
import { userReader } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import { checkSignIn, clearFailures, recordFailure } from "./guard.ts";
import { auth, authFailure, authUnavailable } from "./service.ts";

/** 400, never 401: the app takes a 401 for an expired session and signs the user out. */
const wrongPassword = () => new ApiError(400, "invalid_credentials", "The current password is not correct.");

/**
 * Checks `old` for the token's email; returns the access token of the session the check opened
 * (ended with the others once the password has changed).
 */
async function checkCurrentPassword(claims: UserClaims, old: string, address: string): Promise<string> {
  const email = claims.email;
  if (!email) {
    throw new ApiError(
      422,
      "email_required",
      "This account has no email address to check the password with.",
    );
  }
  await checkSignIn(email, address);
  const { data, error } = await (await auth()).signInWithPassword({ email, password: old });
  if (error?.code === "invalid_credentials") {
    await recordFailure(email);
    throw wrongPassword();
  }
  if (error) throw authFailure(error);
  await clearFailures(email, address);
  if (data.user.id !== claims.sub) {
    await endSession(data.session.access_token);
    throw wrongPassword();
  }
  return data.session.access_token;
}

/** `PUT /auth/v1/user` as the signed-in user (supabase-js sends it only for a session it holds). */
async function updatePassword(accessToken: string, password: string, current: string): Promise<void> {
  const { supabaseUrl, publicKey } = config();
  const response = await fetch(`${supabaseUrl}/auth/v1/user`, {
    method: "PUT",
    headers: {
      apikey: publicKey,
      authorization: `Bearer ${accessToken}`,
      "content-type": "application/json",
      "x-supabase-api-version": "2024-01-01",
    },
    // current_password counts only where the project requires it; GoTrue ignores it otherwise.
    body: JSON.stringify({ password, current_password: current }),
  }).catch(() => {
    throw authUnavailable();
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) {
    const { AuthApiError } = await supabaseJs();
    throw authFailure(new AuthApiError(String(answer.message ?? ""), response.status, answer.code));
  }
}

async function endSession(accessToken: string): Promise<void> {
  await (await auth()).admin.signOut(accessToken, "local");
}

/** Sets `next` as the password of the token's user when `old` is the current one; ends the other sessions. */
export async function changePassword(
  claims: UserClaims,
  accessToken: string,
  old: string,
  next: string,
  address: string,
): Promise<{ changed: true }> {
  // A token outliving its account is a 401, as on every route (private.assume_user refuses it).
  await userReader(claims)((tx) => tx`select 1`);
  const checkToken = await checkCurrentPassword(claims, old, address);
  try {
    await updatePassword(accessToken, next, old);
  } catch (error) {
    await endSession(checkToken);
    throw error;
  }
  const { error } = await (await auth()).admin.signOut(accessToken, "others");
  // GoTrue's password update has ended the other sessions in its own transaction already; a failed
  // second sweep must not report a password that did change as unchanged.
  if (error) {
    console.warn(JSON.stringify({ level: "warn", msg: "logout of other sessions failed", code: error.code }));
  }
  return { changed: true };
}
