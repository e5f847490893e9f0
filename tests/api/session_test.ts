/**
 * The API as the mobile client meets it: a whole session, every kind of bad token, supabase-js's
 * functions.invoke, and logs that never hold a password, a token or a key.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { call, randomEmail, signUpUser } from "../helpers/api.ts";
import { env, isLocalStack, stackLog } from "../helpers/env.ts";
import { badTokens } from "../helpers/tokens.ts";

Deno.test("the mobile client's journey: sign up, sign in, profile, onboarding, deletion, sign in again", async () => {
  const email = randomEmail("journey");
  const password = `journey-${crypto.randomUUID()}`;
  const signUp = await call("/v1/auth/signup", {
    method: "POST",
    body: { email, password, full_name: "Jo" },
  });
  assert.equal(signUp.status, 200);

  const signIn = await call("/v1/auth/signin", { method: "POST", body: { email, password } });
  assert.equal(signIn.status, 200);
  assert.equal(signIn.body.account_status.deletion_canceled, false);
  const token = signIn.body.tokens.access_token;

  const profile = await call("/v1/users/profile", { token });
  assert.equal(profile.body.full_name, "Jo");
  assert.equal(profile.body.survey_completed, false);

  const onboarding = await call("/v1/users/profile/onboarding", {
    method: "POST",
    token,
    body: { age: 29, onboarding: { primary_goal: "write", interests: ["poetry"], experience_level: "new" } },
  });
  assert.equal(onboarding.body.survey_completed, true);
  assert.equal(onboarding.body.age, 29);

  const deletion = await call("/v1/users/profile", { method: "DELETE", token });
  assert.equal(deletion.body.status, "pending");

  const again = await call("/v1/auth/signin", { method: "POST", body: { email, password } });
  assert.equal(again.status, 200);
  assert.equal(again.body.account_status.deletion_canceled, true);
  assert.ok(again.body.account_status.previous_deletion_scheduled_for);
});

Deno.test("every bad token is a 401 on a user route", async () => {
  const cases = await badTokens();
  for (const [name, token] of cases) {
    const { status, body } = await call("/v1/users/profile", { token });
    assert.equal(status, 401, name);
    assert.equal(typeof body.detail, "string", name);
  }
  const valid = await call("/v1/users/profile", { token: (await signUpUser()).token });
  assert.equal(valid.status, 200, "the control case passes");
});

Deno.test("supabase-js: signInWithPassword, then functions.invoke('api/v1/users/profile')", async () => {
  const user = await signUpUser("Invoker");
  const supabase = createClient(env.url, env.anonKey, {
    auth: { persistSession: false, autoRefreshToken: false },
  });
  const signIn = await supabase.auth.signInWithPassword({ email: user.email, password: user.password });
  assert.equal(signIn.error, null);
  const { data, error } = await supabase.functions.invoke("api/v1/users/profile", { method: "GET" });
  assert.equal(error, null);
  assert.equal(data.id, user.id);
  assert.equal(data.full_name, "Invoker");
});

Deno.test({
  name: "the request logs hold no password, token or key",
  ignore: !isLocalStack,
  fn: async () => {
    const user = await signUpUser();
    const signIn = await call("/v1/auth/signin", {
      method: "POST",
      body: { email: user.email, password: user.password },
    });
    await call("/v1/users/profile", { token: signIn.body.tokens.access_token });
    await call("/v1/auth/refresh", {
      method: "POST",
      body: { refresh_token: signIn.body.tokens.refresh_token },
    });
    await call("/v1/users/profile", { token: "Bearer-garbage-" + user.password });
    const log = await stackLog();
    assert.ok(log.includes(user.id), "the log has this test's requests");
    const secrets = [
      user.password,
      user.token,
      signIn.body.tokens.access_token,
      signIn.body.tokens.refresh_token,
      env.serviceRoleKey,
      env.secretKey,
    ];
    for (const secret of secrets) {
      assert.ok(!log.includes(secret), `a secret of length ${secret.length} leaked`);
    }
  },
});
