import assert from "node:assert/strict";
import * as jose from "jose";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { createAuthServer } from "../../stack/auth/server.ts";
import { loadConfig } from "../../stack/config.ts";
import { importSigningKey, SIGNING_JWK } from "../../stack/keys.ts";
import { db, env } from "../helpers/env.ts";

const authUrl = `${env.url}/auth/v1`;
const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } };
const NEW_API = { "X-Supabase-Api-Version": "2024-01-01" };

function uniqueEmail(tag: string): string {
  return `${tag}-${crypto.randomUUID().slice(0, 12)}@example.test`;
}

function anonClient(): SupabaseClient {
  return createClient(env.url, env.anonKey, clientOptions);
}

function serviceClient(): SupabaseClient {
  return createClient(env.url, env.serviceRoleKey, clientOptions);
}

/** A raw call to GoTrue through the gateway, as supabase-js would make it (minus the version header). */
async function auth(path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set("apikey", env.anonKey);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const response = await fetch(`${authUrl}${path}`, { ...init, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A confirmed user made by the admin API; removed again by `deleteUsers`. */
async function createConfirmedUser(email: string, password: string): Promise<string> {
  const { data, error } = await serviceClient().auth.admin.createUser({
    email,
    password,
    email_confirm: true,
  });
  assert.equal(error, null);
  return data.user!.id;
}

async function deleteUsers(...ids: (string | undefined)[]): Promise<void> {
  const admin = serviceClient().auth.admin;
  for (const id of ids) if (id) await admin.deleteUser(id);
}

async function passwordGrant(email: string, password: string) {
  return await auth("/token?grant_type=password", { method: "POST", json: { email, password } });
}

async function refreshGrant(refreshToken: string, headers: HeadersInit = {}) {
  return await auth("/token?grant_type=refresh_token", {
    method: "POST",
    headers,
    json: { refresh_token: refreshToken },
  });
}

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

Deno.test("admin API: createUser, listUsers with pagination, updateUserById, deleteUser", async () => {
  const admin = serviceClient().auth.admin;
  const ids: string[] = [];
  try {
    for (const tag of ["list-a", "list-b", "list-c"]) {
      const { data, error } = await admin.createUser({
        email: uniqueEmail(tag),
        password: "listed-user",
        email_confirm: true,
        user_metadata: { tag },
        app_metadata: { plan: "pro" },
      });
      assert.equal(error, null);
      assert.equal(data.user?.user_metadata.tag, tag);
      assert.equal(data.user?.app_metadata.plan, "pro");
      assert.deepEqual(data.user?.app_metadata.providers, ["email"]);
      ids.push(data.user!.id);
    }
    const page = await admin.listUsers({ page: 1, perPage: 1 });
    assert.equal(page.error, null);
    assert.equal(page.data.users.length, 1);
    assert.ok(page.data.total >= 3);
    assert.equal(page.data.nextPage, 2);
    // supabase-js reads only the first digit of the Link header's page numbers: check the raw header below.
    assert.ok(page.data.lastPage >= 1);

    const raw = await auth("/admin/users?page=2&per_page=1", { headers: bearer(env.serviceRoleKey) });
    assert.equal(raw.body.aud, "authenticated");
    assert.ok(Number(raw.headers.get("x-total-count")) >= 3);
    assert.match(
      raw.headers.get("link") ?? "",
      /^<\/admin\/users\?page=3&per_page=1>; rel="next", <.*>; rel="last"$/,
    );

    const updated = await admin.updateUserById(ids[0], {
      user_metadata: { nickname: "A" },
      ban_duration: "1h",
    });
    assert.equal(updated.error, null);
    assert.equal(updated.data.user?.user_metadata.nickname, "A");
    assert.ok(updated.data.user?.banned_until);

    const deleted = await admin.deleteUser(ids[1]);
    assert.equal(deleted.error, null);
    const gone = await admin.getUserById(ids[1]);
    assert.equal(gone.error?.status, 404);
    assert.equal(gone.error?.code, "user_not_found");

    const soft = await admin.deleteUser(ids[2], true);
    assert.equal(soft.error, null);
    const softDeleted = await admin.getUserById(ids[2]);
    assert.ok(softDeleted.data.user?.deleted_at);
    assert.doesNotMatch(softDeleted.data.user?.email ?? "", /@/);
  } finally {
    await deleteUsers(...ids);
  }
});

Deno.test("a hard delete a foreign key blocks is 500 'Database error deleting user'", async () => {
  const schema = `test_auth_fk_${crypto.randomUUID().slice(0, 8)}`;
  const userId = await createConfirmedUser(uniqueEmail("fk"), "fk-blocked");
  const sql = db();
  try {
    await sql.unsafe(`create schema ${schema};
      create table ${schema}.notes (user_id uuid references auth.users (id))`);
    await sql.unsafe(`insert into ${schema}.notes values ($1)`, [userId]);
    const response = await auth(`/admin/users/${userId}`, {
      method: "DELETE",
      headers: bearer(env.serviceRoleKey),
    });
    assert.equal(response.status, 500);
    assert.equal(response.body.error_code, "unexpected_failure");
    assert.equal(response.body.msg, "Database error deleting user");
    assert.ok(response.body.error_id);
  } finally {
    await sql.unsafe(`drop schema if exists ${schema} cascade`);
    await sql.end();
    await deleteUsers(userId);
  }
});

Deno.test("admin routes need an admin-role JWT and report duplicates", async () => {
  const email = uniqueEmail("admin-dup");
  const userId = await createConfirmedUser(email, "dup-user-1");
  try {
    const noToken = await auth("/admin/users");
    assert.equal(noToken.status, 401);
    assert.equal(noToken.body.error_code, "no_authorization");
    const anon = await auth("/admin/users", { headers: bearer(env.anonKey) });
    assert.equal(anon.status, 403);
    assert.equal(anon.body.error_code, "not_admin");
    const duplicate = await auth("/admin/users", {
      method: "POST",
      headers: bearer(env.serviceRoleKey),
      json: { email, password: "whatever1" },
    });
    assert.equal(duplicate.status, 422);
    assert.equal(duplicate.body.error_code, "email_exists");
    const badId = await auth("/admin/users/not-a-uuid", { headers: bearer(env.serviceRoleKey) });
    assert.equal(badId.status, 404);
    assert.equal(badId.body.error_code, "validation_failed");
  } finally {
    await deleteUsers(userId);
  }
});

Deno.test("error shapes: legacy without the version header, 2024-01-01 with it", async () => {
  const email = uniqueEmail("shapes");
  const userId = await createConfirmedUser(email, "shape-pass");
  try {
    const legacy = await auth("/signup", { method: "POST", json: { email, password: "shape-pass" } });
    assert.equal(legacy.status, 422);
    assert.deepEqual(legacy.body, {
      code: 422,
      error_code: "user_already_exists",
      msg: "User already registered",
    });
    assert.equal(legacy.headers.get("x-sb-error-code"), "user_already_exists");
    assert.equal(legacy.headers.get("x-supabase-api-version"), null);

    const current = await auth("/signup", {
      method: "POST",
      headers: NEW_API,
      json: { email, password: "x1y2z3" },
    });
    assert.deepEqual(current.body, { code: "user_already_exists", message: "User already registered" });
    assert.equal(current.headers.get("x-supabase-api-version"), "2024-01-01");

    const wrong = await passwordGrant(email, "not-the-password");
    assert.deepEqual(wrong.body, {
      code: 400,
      error_code: "invalid_credentials",
      msg: "Invalid login credentials",
    });

    const short = { email: uniqueEmail("short"), password: "12345" };
    const weakLegacy = await auth("/signup", { method: "POST", json: short });
    assert.deepEqual(weakLegacy.body, {
      code: 422,
      error_code: "weak_password",
      msg: "Password should be at least 6 characters.",
      weak_password: { reasons: ["length"] },
    });
    const weakCurrent = await auth("/signup", { method: "POST", headers: NEW_API, json: short });
    assert.deepEqual(weakCurrent.body, {
      code: "weak_password",
      message: "Password should be at least 6 characters.",
      weak_password: { reasons: ["length"] },
    });
    const viaClient = await anonClient().auth.signUp(short);
    assert.equal(viaClient.error?.name, "AuthWeakPasswordError");

    const badEmail = await auth("/signup", {
      method: "POST",
      json: { email: "nope", password: "long-enough" },
    });
    assert.equal(badEmail.body.msg, "Unable to validate email address: invalid format");
    const badJson = await auth("/signup", {
      method: "POST",
      body: "{not json",
      headers: { "content-type": "application/json" },
    });
    assert.equal(badJson.status, 400);
    assert.equal(badJson.body.error_code, "bad_json");
    const wrongType = await auth("/signup", { method: "POST", json: { email: 42, password: "long-enough" } });
    assert.equal(wrongType.body.error_code, "bad_json");
    const huge = await auth("/signup", {
      method: "POST",
      json: { email, password: "x".repeat(1024 * 1024) },
    });
    assert.equal(huge.status, 413);
    const unknownGrant = await auth("/token?grant_type=magic", { method: "POST", json: {} });
    assert.equal(unknownGrant.body.error_code, "invalid_credentials");
  } finally {
    await deleteUsers(userId);
  }
});

Deno.test("expired and forged tokens are bad_jwt; a legacy HS256 token still works", async () => {
  const email = uniqueEmail("expired");
  const userId = await createConfirmedUser(email, "expire-me");
  try {
    const login = await passwordGrant(email, "expire-me");
    const claims = jose.decodeJwt(login.body.access_token);
    const now = Math.floor(Date.now() / 1000);
    const expired = await new jose.SignJWT({ ...claims, iat: now - 7200, exp: now - 3600 })
      .setProtectedHeader({ alg: "ES256", kid: SIGNING_JWK.kid, typ: "JWT" })
      .sign(await importSigningKey());
    const rejected = await auth("/user", { headers: bearer(expired) });
    assert.equal(rejected.status, 403);
    assert.equal(rejected.body.error_code, "bad_jwt");
    assert.match(rejected.body.msg, /token is expired/);

    const forged = await new jose.SignJWT({ ...claims })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode("not-the-secret-not-the-secret-not-the-secret"));
    assert.equal((await auth("/user", { headers: bearer(forged) })).body.error_code, "bad_jwt");

    const legacy = await new jose.SignJWT({ ...claims })
      .setProtectedHeader({ alg: "HS256", typ: "JWT" })
      .sign(new TextEncoder().encode(env.jwtSecret));
    const accepted = await auth("/user", { headers: bearer(legacy) });
    assert.equal(accepted.status, 200);
    assert.equal(accepted.body.id, userId);
    assert.equal(accepted.headers.get("sb-auth-user-id"), userId);
    assert.equal(accepted.headers.get("sb-auth-session-id"), claims.session_id);
  } finally {
    await deleteUsers(userId);
  }
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
function serverWith(auth: { enableConfirmations?: boolean; enableSignup?: boolean }) {
  const config = loadConfig();
  config.authDbUrl = env.dbUrl.replace(/\/\/[^:@/]+(:[^@]*)?@/, "//supabase_auth_admin$1@");
  config.auth = { ...config.auth, ...auth };
  const server = createAuthServer(config);
  const call = async (path: string, body: unknown) => {
    const response = await server.fetch(
      new Request(`http://auth.local${path}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      }),
    );
    return { status: response.status, body: await response.json() };
  };
  return { call, close: () => server.close() };
}

Deno.test("with confirmations on, signup returns the bare user and a repeat gets a fake one", async () => {
  const server = serverWith({ enableConfirmations: true });
  const email = uniqueEmail("confirm");
  let userId: string | undefined;
  try {
    const first = await server.call("/signup", { email, password: "confirm-me" });
    assert.equal(first.status, 200);
    assert.equal(first.body.access_token, undefined);
    userId = first.body.id;
    assert.equal(first.body.email, email);
    assert.ok(first.body.confirmation_sent_at);
    assert.equal(first.body.email_confirmed_at, undefined);

    const login = await server.call("/token?grant_type=password", { email, password: "confirm-me" });
    assert.equal(login.body.error_code, "email_not_confirmed");
    const wrong = await server.call("/token?grant_type=password", { email, password: "not-it" });
    assert.equal(wrong.body.error_code, "invalid_credentials");

    await serviceClient().auth.admin.updateUserById(userId!, { email_confirm: true });
    const repeat = await server.call("/signup", { email, password: "another-one" });
    assert.equal(repeat.status, 200);
    assert.notEqual(repeat.body.id, userId);
    assert.deepEqual(repeat.body.identities, []);
  } finally {
    await server.close();
    await deleteUsers(userId);
  }
});

Deno.test("with signups disabled, signup is 422 signup_disabled", async () => {
  const server = serverWith({ enableSignup: false });
  try {
    const response = await server.call("/signup", { email: uniqueEmail("closed"), password: "closed-door" });
    assert.equal(response.status, 422);
    assert.equal(response.body.error_code, "signup_disabled");
  } finally {
    await server.close();
  }
});

Deno.test("health and settings", async () => {
  const health = await auth("/health");
  assert.equal(health.body.name, "GoTrue");
  const settings = await auth("/settings");
  assert.equal(settings.body.external.email, true);
  assert.equal(settings.body.disable_signup, false);
  assert.equal(settings.body.mailer_autoconfirm, true);
});
