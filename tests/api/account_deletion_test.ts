/**
 * Account deletion as the app offers it: the older build's POST path schedules like DELETE, and
 * `DELETE /v1/users/profile?immediate=true` erases the account now — Auth user, every row, Vault
 * secrets, Storage files — after which its tokens are refused.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { createChat, withDb } from "../helpers/chats.ts";
import { env } from "../helpers/env.ts";
import { startFakeProvider } from "../helpers/fake_providers.ts";
import { activateFake } from "../helpers/providers.ts";

const storage = createClient(env.url, env.serviceRoleKey, {
  auth: { persistSession: false, autoRefreshToken: false },
}).storage;

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);

/** What is left of the account in the database, counted as the owner. */
function remains(user: TestUser) {
  return withDb(async (sql) => {
    const [row] = await sql<Record<string, number>[]>`
      select
        (select count(*)::int from auth.users where id = ${user.id}) as auth_users,
        (select count(*)::int from public.profiles where id = ${user.id}) as profiles,
        (select count(*)::int from public.providers where user_id = ${user.id}) as providers,
        (select count(*)::int from public.chats where user_id = ${user.id}) as chats,
        (select count(*)::int from public.jobs where user_id = ${user.id}) as jobs,
        (select count(*)::int from vault.secrets where name like '%' || ${user.id} || '%') as secrets,
        (select count(*)::int from storage.objects where name like ${user.id} || '/%') as files`;
    return row;
  });
}

Deno.test("POST /v1/users/profile/deletion (an older build's path) schedules like DELETE; its dates are ignored", async () => {
  const user = await signUpUser();
  const scheduled = await call("/v1/users/profile/deletion", {
    method: "POST",
    token: user.token,
    body: { requested_at: "2020-01-01T00:00:00Z", scheduled_for: "2020-01-02T00:00:00Z", reason: "x" },
  });
  assert.equal(scheduled.status, 200, JSON.stringify(scheduled.body));
  assert.equal(scheduled.body.status, "pending");
  const days = (Date.parse(scheduled.body.deletion_scheduled_for) - Date.now()) / 86_400_000;
  assert.equal(Math.round(days), 30);
  const bodiless = await call("/v1/users/profile/deletion", { method: "POST", token: user.token });
  assert.equal(bodiless.status, 200);
  assert.equal(bodiless.body.deletion_scheduled_for, scheduled.body.deletion_scheduled_for);
  const profile = await call("/v1/users/profile", { token: user.token });
  assert.equal(profile.body.deletion_status, "pending");
});

Deno.test("DELETE ?immediate=true erases the account now: Auth user, rows, Vault secrets, files; tokens refused", async () => {
  const [user, bystander] = await Promise.all([signUpUser(), signUpUser()]);
  await using groq = startFakeProvider("groq");
  for (const someone of [user, bystander]) {
    assert.equal((await activateFake(someone.token, groq)).status, 200);
    await createChat(someone, { title: "mine", initial_message: "hello" });
    const upload = await storage.from("job-images").upload(
      `${someone.id}/${crypto.randomUUID()}/1.png`,
      PNG,
      {
        contentType: "image/png",
      },
    );
    assert.equal(upload.error, null);
  }
  const before = await remains(user);
  assert.deepEqual(
    [before.auth_users, before.profiles, before.providers, before.chats, before.files],
    [1, 1, 1, 1, 1],
  );
  assert.ok(before.secrets >= 1, "the provider key is in Vault");

  const erased = await call("/v1/users/profile?immediate=true", { method: "DELETE", token: user.token });
  assert.equal(erased.status, 200, JSON.stringify(erased.body));
  assert.equal(erased.body.status, "deleted");
  assert.ok(Math.abs(Date.parse(erased.body.deleted_at) - Date.now()) < 60_000);

  assert.deepEqual(await remains(user), {
    auth_users: 0,
    profiles: 0,
    providers: 0,
    chats: 0,
    jobs: 0,
    secrets: 0,
    files: 0,
  });
  const gone = await call("/v1/users/profile", { token: user.token });
  assert.equal(gone.status, 401);
  const again = await call("/v1/users/profile?immediate=true", { method: "DELETE", token: user.token });
  assert.equal(again.status, 401);
  const refreshed = await call("/v1/auth/refresh", {
    method: "POST",
    body: { refresh_token: user.refreshToken },
  });
  assert.equal(refreshed.status, 401);
  const signIn = await call("/v1/auth/signin", {
    method: "POST",
    body: { email: user.email, password: user.password },
  });
  assert.equal(signIn.status, 401);

  const untouched = await remains(bystander);
  assert.deepEqual(
    [untouched.auth_users, untouched.providers, untouched.chats, untouched.files],
    [1, 1, 1, 1],
  );
  assert.equal((await call("/v1/chats", { token: bystander.token })).body.length, 1);
});

Deno.test("DELETE without immediate (or immediate=false) schedules; a malformed flag is a 422 that deletes nothing", async () => {
  const user = await signUpUser();
  const refused = await call("/v1/users/profile?immediate=maybe", { method: "DELETE", token: user.token });
  assert.equal(refused.status, 422);
  assert.match(refused.body.message, /^immediate: must be one of /);
  const scheduled = await call("/v1/users/profile?immediate=false", { method: "DELETE", token: user.token });
  assert.equal(scheduled.body.status, "pending");
  assert.equal((await remains(user)).auth_users, 1);
});
