import assert from "node:assert/strict";
import * as jose from "jose";

import { createAuthServer } from "../../stack/auth/server.ts";
import { loadConfig } from "../../stack/config.ts";
import { importSigningKey, SIGNING_JWK } from "../../stack/keys.ts";
import { db, env } from "../helpers/env.ts";
import {
  anonClient,
  auth,
  bearer,
  createConfirmedUser,
  deleteUsers,
  NEW_API,
  passwordGrant,
  serviceClient,
  uniqueEmail,
} from "../helpers/auth_platform.ts";

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
