import assert from "node:assert/strict";
import * as jose from "jose";

import { SIGNING_JWK } from "../../stack/keys.ts";
import { db } from "../helpers/env.ts";
import {
  anonClient,
  auth,
  authUrl,
  bearer,
  createConfirmedUser,
  deleteUsers,
  NEW_API,
  passwordGrant,
  refreshGrant,
  uniqueEmail,
} from "../helpers/auth_platform.ts";

Deno.test("signUp returns a confirmed user and a session whose token carries GoTrue's claims", async () => {
  const email = uniqueEmail("signup");
  const { data, error } = await anonClient().auth.signUp({
    email,
    password: "correct-horse",
    options: { data: { display_name: "Ada" } },
  });
  try {
    assert.equal(error, null);
    assert.ok(data.session && data.user);
    assert.equal(data.user.email, email);
    assert.equal(data.user.role, "authenticated");
    assert.ok(data.user.email_confirmed_at);
    assert.deepEqual(data.user.app_metadata, { provider: "email", providers: ["email"] });
    assert.deepEqual(data.user.user_metadata, { display_name: "Ada", email_verified: true });
    assert.equal(data.user.identities?.length, 1);
    assert.equal(data.session.token_type, "bearer");
    assert.equal(data.session.refresh_token.length, 12);

    const header = jose.decodeProtectedHeader(data.session.access_token);
    assert.deepEqual(header, { alg: "ES256", kid: SIGNING_JWK.kid, typ: "JWT" });
    const claims = jose.decodeJwt(data.session.access_token);
    assert.equal(claims.iss, authUrl);
    assert.equal(claims.sub, data.user.id);
    assert.equal(claims.aud, "authenticated");
    assert.equal(claims.role, "authenticated");
    assert.equal(claims.email, email);
    assert.equal(claims.phone, "");
    assert.equal(claims.aal, "aal1");
    assert.equal(claims.is_anonymous, false);
    assert.equal(claims.exp! - claims.iat!, 3600);
    assert.equal(data.session.expires_at, claims.exp);
    const amr = claims.amr as { method: string; timestamp: number }[];
    assert.equal(amr.length, 1);
    assert.equal(amr[0].method, "password");
    assert.ok(amr[0].timestamp <= claims.iat!);
    assert.match(String(claims.session_id), /^[0-9a-f-]{36}$/);
    assert.deepEqual(claims.user_metadata, { display_name: "Ada", email_verified: true });
  } finally {
    await deleteUsers(data.user?.id);
  }
});

Deno.test("signInWithPassword, getUser, updateUser and signOut work through supabase-js", async () => {
  const email = uniqueEmail("signin");
  const userId = await createConfirmedUser(email, "first-password");
  try {
    const supabase = anonClient();
    const signIn = await supabase.auth.signInWithPassword({ email, password: "first-password" });
    assert.equal(signIn.error, null);
    assert.equal(signIn.data.user?.id, userId);
    const firstToken = signIn.data.session!.access_token;

    const current = await supabase.auth.getUser();
    assert.equal(current.error, null);
    assert.equal(current.data.user?.email, email);

    const withData = await supabase.auth.updateUser({ data: { theme: "dark" } });
    assert.equal(withData.error, null);
    assert.equal(withData.data.user?.user_metadata.theme, "dark");
    const removed = await supabase.auth.updateUser({ data: { theme: null } });
    assert.equal(removed.data.user?.user_metadata.theme, undefined);

    const newEmail = uniqueEmail("renamed");
    const emailChange = await supabase.auth.updateUser({ email: newEmail });
    assert.equal(emailChange.data.user?.email, email);
    assert.equal(emailChange.data.user?.new_email, newEmail);

    const samePassword = await supabase.auth.updateUser({ password: "first-password" });
    assert.equal(samePassword.error?.code, "same_password");
    const changed = await supabase.auth.updateUser({ password: "second-password" });
    assert.equal(changed.error, null);
    assert.equal((await passwordGrant(email, "first-password")).body.error_code, "invalid_credentials");
    assert.equal((await passwordGrant(email, "second-password")).status, 200);

    const signOut = await supabase.auth.signOut();
    assert.equal(signOut.error, null);
    const afterSignOut = await anonClient().auth.getUser(firstToken);
    assert.equal(afterSignOut.data.user, null);
    assert.equal(afterSignOut.error?.name, "AuthSessionMissingError");
  } finally {
    await deleteUsers(userId);
  }
});

Deno.test("refreshSession rotates the refresh token within the same session", async () => {
  const email = uniqueEmail("refresh");
  const userId = await createConfirmedUser(email, "refresh-me");
  try {
    const supabase = anonClient();
    const { data } = await supabase.auth.signInWithPassword({ email, password: "refresh-me" });
    const first = data.session!;
    const refreshed = await supabase.auth.refreshSession({ refresh_token: first.refresh_token });
    assert.equal(refreshed.error, null);
    const second = refreshed.data.session!;
    assert.notEqual(second.refresh_token, first.refresh_token);
    const before = jose.decodeJwt(first.access_token), after = jose.decodeJwt(second.access_token);
    assert.equal(after.session_id, before.session_id);
    assert.deepEqual(after.amr, before.amr);
    assert.equal(refreshed.data.user?.id, userId);
  } finally {
    await deleteUsers(userId);
  }
});

Deno.test("a reused refresh token is refused and revokes the whole family", async () => {
  const email = uniqueEmail("reuse");
  const userId = await createConfirmedUser(email, "reuse-me!");
  const sql = db();
  try {
    const login = await passwordGrant(email, "reuse-me!");
    const rt0 = login.body.refresh_token;
    const rt1 = (await refreshGrant(rt0)).body.refresh_token;
    // The parent of the active token (a client that lost the last response) gets that same token back.
    const retried = await refreshGrant(rt0);
    assert.equal(retried.status, 200);
    assert.equal(retried.body.refresh_token, rt1);
    const rt2 = (await refreshGrant(rt1)).body.refresh_token;
    assert.ok(rt2 && rt2 !== rt1);

    // Past the reuse interval, an older token is an abuse signal.
    await sql`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = ${rt0}`;
    const reused = await refreshGrant(rt0);
    assert.equal(reused.status, 400);
    assert.deepEqual(reused.body, {
      code: 400,
      error_code: "refresh_token_already_used",
      msg: "Invalid Refresh Token: Already Used",
    });
    assert.equal(reused.headers.get("x-sb-error-code"), "refresh_token_already_used");

    const sessionId = jose.decodeJwt(login.body.access_token).session_id as string;
    const family = await sql`select token, revoked from auth.refresh_tokens where session_id = ${sessionId}`;
    assert.equal(family.length, 3);
    assert.ok(family.every((row) => row.revoked));
    await sql`update auth.refresh_tokens set updated_at = now() - interval '1 minute' where token = ${rt2}`;
    const newest = await refreshGrant(rt2, NEW_API);
    assert.deepEqual(newest.body, {
      code: "refresh_token_already_used",
      message: "Invalid Refresh Token: Already Used",
    });
  } finally {
    await sql.end();
    await deleteUsers(userId);
  }
});

Deno.test("refresh token errors: missing, malformed and unknown tokens", async () => {
  const missing = await refreshGrant("");
  assert.deepEqual(missing.body, { error: "invalid_request", error_description: "refresh_token required" });
  const short = await refreshGrant("abc");
  assert.equal(short.body.error_code, "validation_failed");
  const unknown = await refreshGrant("zzzzzzzzzzzz");
  assert.equal(unknown.status, 400);
  assert.equal(unknown.body.error_code, "refresh_token_not_found");
});

Deno.test("logout scopes end sessions; later calls with the token get 403 session_not_found", async () => {
  const email = uniqueEmail("logout");
  const userId = await createConfirmedUser(email, "logout-me");
  try {
    const first = (await passwordGrant(email, "logout-me")).body.access_token;
    const second = (await passwordGrant(email, "logout-me")).body.access_token;
    const third = (await passwordGrant(email, "logout-me")).body.access_token;
    const badScope = await auth("/logout?scope=everything", { method: "POST", headers: bearer(first) });
    assert.equal(badScope.body.error_code, "validation_failed");

    const others = await auth("/logout?scope=others", { method: "POST", headers: bearer(first) });
    assert.equal(others.status, 204);
    assert.equal(others.body, null);
    assert.equal((await auth("/user", { headers: bearer(first) })).status, 200);
    const ended = await auth("/user", { headers: bearer(second) });
    assert.equal(ended.status, 403);
    assert.deepEqual(ended.body, {
      code: 403,
      error_code: "session_not_found",
      msg: "Session from session_id claim in JWT does not exist",
    });
    const endedNew = await auth("/user", { headers: { ...bearer(third), ...NEW_API } });
    assert.deepEqual(endedNew.body, {
      code: "session_not_found",
      message: "Session from session_id claim in JWT does not exist",
    });

    assert.equal((await auth("/logout?scope=local", { method: "POST", headers: bearer(first) })).status, 204);
    assert.equal((await auth("/logout", { method: "POST", headers: bearer(first) })).status, 403);
    const noAuth = await auth("/user");
    assert.equal(noAuth.status, 401);
    assert.equal(noAuth.body.error_code, "no_authorization");
  } finally {
    await deleteUsers(userId);
  }
});

Deno.test("access tokens verify against the served JWKS, as supabase.auth.getClaims does", async () => {
  const email = uniqueEmail("jwks");
  const userId = await createConfirmedUser(email, "jwks-check");
  try {
    const supabase = anonClient();
    const { data } = await supabase.auth.signInWithPassword({ email, password: "jwks-check" });
    const token = data.session!.access_token;
    const jwks = jose.createRemoteJWKSet(new URL(`${authUrl}/.well-known/jwks.json`));
    const { payload } = await jose.jwtVerify(token, jwks, { issuer: authUrl, audience: "authenticated" });
    assert.equal(payload.sub, userId);

    const served = await auth("/.well-known/jwks.json");
    assert.equal(served.headers.get("cache-control"), "public, max-age=600");
    assert.ok(served.body.keys.every((key: { d?: string; kty: string }) => !key.d && key.kty !== "oct"));

    const viaClient = await supabase.auth.getClaims(token);
    assert.equal(viaClient.error, null);
    assert.equal(viaClient.data?.claims.sub, userId);
  } finally {
    await deleteUsers(userId);
  }
});

Deno.test("auth.uid() sees the token's sub when its claims are set in a transaction", async () => {
  const email = uniqueEmail("uid");
  const userId = await createConfirmedUser(email, "uid-check");
  const sql = db();
  try {
    const claims = jose.decodeJwt((await passwordGrant(email, "uid-check")).body.access_token);
    const [row] = await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true),
                      set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`;
      return await tx`select auth.uid() as uid, auth.role() as role, auth.jwt() ->> 'email' as email,
                             current_user as db_role`;
    });
    assert.deepEqual({ ...row }, { uid: userId, role: "authenticated", email, db_role: "authenticated" });
  } finally {
    await sql.end();
    await deleteUsers(userId);
  }
});

Deno.test("a trigger on auth.users runs when a user signs up through supabase-js", async () => {
  const schema = `test_auth_trigger_${crypto.randomUUID().slice(0, 8)}`;
  const sql = db();
  let userId: string | undefined;
  try {
    await sql.unsafe(`
      create schema ${schema};
      create table ${schema}.profiles (id uuid primary key, email text, display_name text);
      create function ${schema}.on_signup() returns trigger language plpgsql security definer
      set search_path = '' as $$
      begin
        insert into ${schema}.profiles (id, email, display_name)
        values (new.id, new.email, new.raw_user_meta_data ->> 'display_name');
        return new;
      end
      $$;
      create trigger ${schema}_on_signup after insert on auth.users
        for each row execute function ${schema}.on_signup();`);
    const email = uniqueEmail("trigger");
    const { data, error } = await anonClient().auth.signUp({
      email,
      password: "trigger-me",
      options: { data: { display_name: "Grace" } },
    });
    assert.equal(error, null);
    userId = data.user!.id;
    const rows = await sql.unsafe(`select id, email, display_name from ${schema}.profiles where id = $1`, [
      userId,
    ]);
    assert.deepEqual([...rows].map((r) => ({ ...r })), [{ id: userId, email, display_name: "Grace" }]);
  } finally {
    // Only auth.users' owner may DROP TRIGGER; dropping the function's schema cascades to it.
    await sql.unsafe(`drop schema if exists ${schema} cascade`);
    await sql.end();
    await deleteUsers(userId);
  }
});

/** The server in-process with other settings, on the same database (the running stack keeps its own). */
