/**
 * POST /v1/auth/password/change through the gateway, the api function and the local Auth: a wrong
 * current password is a 400 (never 401, which the app takes for an expired session), a short or
 * unchanged new one a 422, and neither changes anything; a change signs the other sessions out and
 * keeps the caller's.
 */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { db } from "../helpers/env.ts";

const change = (user: TestUser, body: unknown) =>
  call("/v1/auth/password/change", { method: "POST", token: user.token, body });

const signIn = (email: string, password: string) =>
  call("/v1/auth/signin", { method: "POST", body: { email, password } });

const refresh = (refreshToken: string) =>
  call("/v1/auth/refresh", { method: "POST", body: { refresh_token: refreshToken } });

Deno.test("a wrong current password is 400 invalid_credentials and the password stays", async () => {
  const user = await signUpUser();
  const wrong = await change(user, { old: "not-my-password", new: "a-brand-new-password" });
  assert.equal(wrong.status, 400, JSON.stringify(wrong.body));
  assert.equal(wrong.body.code, "invalid_credentials");
  assert.equal(typeof wrong.body.message, "string");
  assert.equal(typeof wrong.body.detail, "string");
  assert.ok(!JSON.stringify(wrong.body).includes("a-brand-new-password"), "no password in the answer");

  assert.equal((await signIn(user.email, user.password)).status, 200, "the old password still works");
  assert.equal((await signIn(user.email, "a-brand-new-password")).status, 401);
  assert.equal((await call("/v1/users/profile", { token: user.token })).status, 200, "still signed in");
});

Deno.test("a short new password or one equal to the old is 422 and changes nothing", async () => {
  const user = await signUpUser();
  const short = await change(user, { old: user.password, new: "short7!" });
  assert.equal(short.status, 422, JSON.stringify(short.body));
  assert.equal(short.body.code, "validation_error");
  assert.match(short.body.message, /^new: /);
  assert.deepEqual(short.body.detail[0].loc, ["body", "new"]);

  // Trimmed before the comparison: the same password with spaces around it is the same password.
  const same = await change(user, { old: user.password, new: ` ${user.password} ` });
  assert.equal(same.status, 422, JSON.stringify(same.body));
  assert.equal(same.body.code, "validation_error");
  assert.match(same.body.message, /new: must differ from the old password/);

  const missing = await change(user, { new: "a-brand-new-password" });
  assert.equal(missing.status, 422);
  assert.match(missing.body.message, /^old: /);

  assert.equal((await signIn(user.email, user.password)).status, 200, "the password is unchanged");
  assert.equal((await signIn(user.email, "short7!")).status, 401);
});

Deno.test("a change signs the other sessions out and keeps the caller's", async () => {
  const user = await signUpUser();
  const other = await signIn(user.email, user.password);
  assert.equal(other.status, 200);
  const next = `new-${crypto.randomUUID()}`;

  // The app's body, with the longer spellings; extra fields are ignored.
  const changed = await change(user, { old_password: user.password, new_password: next, confirm: next });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(changed.body, { changed: true });

  assert.equal((await signIn(user.email, user.password)).status, 401, "the old password fails");
  assert.equal((await signIn(user.email, next)).status, 200, "the new one works");

  const otherRefresh = await refresh(other.body.tokens.refresh_token);
  assert.equal(otherRefresh.status, 401, "the other session's refresh token is refused");
  assert.equal(typeof otherRefresh.body.code, "string");

  const mine = await refresh(user.refreshToken);
  assert.equal(mine.status, 200, JSON.stringify(mine.body));
  assert.equal(mine.body.session.session_id, user.sessionId, "the caller's session goes on");
  const profile = await call("/v1/users/profile", { token: mine.body.tokens.access_token });
  assert.equal(profile.status, 200);

  // The session the check of the old password opened is gone too: the caller's and the new sign-in's remain.
  const sql = db();
  try {
    const [{ n }] = await sql<{ n: number }[]>`
      select count(*)::int as n from auth.sessions where user_id = ${user.id}`;
    assert.equal(n, 2);
  } finally {
    await sql.end();
  }
});

Deno.test("`old` and `new` win over their aliases, and both are trimmed", async () => {
  const user = await signUpUser();
  const next = `trimmed-${crypto.randomUUID()}`;
  const changed = await change(user, {
    old: `  ${user.password}\t`,
    new: ` ${next} `,
    old_password: "ignored-since-old-is-sent",
    new_password: "ignored-since-new-is-sent",
  });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.equal((await signIn(user.email, next)).status, 200);
});

Deno.test("without a token the route is 401, and nothing is checked", async () => {
  const answer = await call("/v1/auth/password/change", {
    method: "POST",
    body: { old: "whatever-old", new: "whatever-new" },
  });
  assert.equal(answer.status, 401);
  assert.equal(answer.body.code, "not_authenticated");
});

Deno.test("the token of a deleted account is 401, as on every route", async () => {
  const user = await signUpUser();
  const sql = db();
  try {
    await sql`delete from auth.users where id = ${user.id}`;
  } finally {
    await sql.end();
  }
  const answer = await change(user, { old: user.password, new: "a-brand-new-password" });
  assert.equal(answer.status, 401, JSON.stringify(answer.body));
});
