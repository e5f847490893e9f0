import assert from "node:assert/strict";
import { call, signUpUser } from "../helpers/api.ts";

Deno.test("routes that need a user answer 401 without a valid token", async () => {
  for (const token of [undefined, "not-a-token"]) {
    const { status, body } = await call("/v1/users/profile", { token });
    assert.equal(status, 401);
    assert.equal(typeof body.detail, "string");
  }
});

Deno.test("a profile update changes only the fields sent", async () => {
  const user = await signUpUser("Before Name");
  const first = await call("/v1/users/profile", {
    method: "PUT",
    token: user.token,
    body: { bio: "Hello", age: 30, date_of_birth: "1995-04-01" },
  });
  assert.equal(first.status, 200);
  assert.equal(first.body.bio, "Hello");
  assert.equal(first.body.age, 30);
  assert.equal(first.body.date_of_birth, "1995-04-01");
  assert.equal(first.body.full_name, "Before Name");

  const second = await call("/v1/users/profile", {
    method: "PUT",
    token: user.token,
    body: { profession: "Pilot" },
  });
  assert.equal(second.body.profession, "Pilot");
  assert.equal(second.body.bio, "Hello");
  assert.ok(Date.parse(second.body.updated_at) >= Date.parse(first.body.updated_at));
});

Deno.test("invalid profile input is a 422 that changes nothing", async () => {
  const user = await signUpUser();
  const cases: [unknown, string][] = [
    [{ age: 12 }, "age"],
    [{ age: "thirty" }, "age"],
    [{ username: "x".repeat(41) }, "username"],
    [{ bio: "b".repeat(501) }, "bio"],
    [{ email: "new@example.test" }, ""],
  ];
  for (const [payload, field] of cases) {
    const { status, body } = await call("/v1/users/profile", {
      method: "PUT",
      token: user.token,
      body: payload,
    });
    assert.equal(status, 422, JSON.stringify(payload));
    if (field) assert.deepEqual(body.detail[0].loc, ["body", field]);
  }
  const profile = await call("/v1/users/profile", { token: user.token });
  assert.equal(profile.body.age, null);
  assert.equal(profile.body.bio, null);
  assert.equal(profile.body.email, user.email);
});

Deno.test("a username taken by someone else is a 409", async () => {
  const [alice, bob] = await Promise.all([signUpUser(), signUpUser()]);
  const name = `alice_${crypto.randomUUID().slice(0, 8)}`;
  assert.equal(
    (await call("/v1/users/profile", { method: "PUT", token: alice.token, body: { username: name } })).status,
    200,
  );
  const taken = await call("/v1/users/profile", {
    method: "PUT",
    token: bob.token,
    body: { username: name.toUpperCase() },
  });
  assert.equal(taken.status, 409);
  assert.equal(taken.body.code, "username_taken");
});

Deno.test("onboarding stores the answers (onboarding_responses wins over onboarding)", async () => {
  const user = await signUpUser();
  const onboarding = await call("/v1/users/profile/onboarding", {
    method: "POST",
    token: user.token,
    body: { profession: "Teacher", onboarding: { primary_goal: "learn", interests: ["math"] } },
  });
  assert.equal(onboarding.status, 200);
  assert.equal(onboarding.body.survey_completed, true);
  assert.equal(onboarding.body.profession, "Teacher");
  assert.deepEqual(onboarding.body.onboarding_responses, { primary_goal: "learn", interests: ["math"] });

  const both = await call("/v1/users/profile/onboarding", {
    method: "POST",
    token: user.token,
    body: {
      onboarding: { primary_goal: "x" },
      onboarding_responses: { custom: true },
      survey_completed: false,
    },
  });
  assert.deepEqual(both.body.onboarding_responses, { custom: true });
  assert.equal(both.body.survey_completed, false);
});

Deno.test("deletion is scheduled 30 days ahead, and can be cancelled", async () => {
  const user = await signUpUser();
  const scheduled = await call("/v1/users/profile", { method: "DELETE", token: user.token });
  assert.equal(scheduled.status, 200);
  assert.equal(scheduled.body.status, "pending");
  const days =
    (Date.parse(scheduled.body.deletion_scheduled_for) - Date.parse(scheduled.body.deletion_requested_at)) /
    86_400_000;
  assert.equal(Math.round(days), 30);

  const cancel = await call("/v1/users/profile/deletion/cancel", { method: "POST", token: user.token });
  assert.equal(cancel.status, 200);
  assert.equal(cancel.body.canceled, true);
  assert.equal(cancel.body.profile.deletion_status, "active");
  assert.equal(
    Date.parse(cancel.body.previous_deletion_scheduled_for),
    Date.parse(scheduled.body.deletion_scheduled_for),
  );

  const again = await call("/v1/users/profile/deletion/cancel", { method: "POST", token: user.token });
  assert.equal(again.body.canceled, false);
  assert.equal(again.body.previous_deletion_scheduled_for, null);
});

Deno.test("a user reads their own profile by id; another user's id is 403; a bad id is 422", async () => {
  const [alice, bob] = await Promise.all([signUpUser(), signUpUser()]);
  const own = await call(`/v1/users/${alice.id}`, { token: alice.token });
  assert.equal(own.status, 200);
  assert.equal(own.body.id, alice.id);
  const other = await call(`/v1/users/${bob.id}`, { token: alice.token });
  assert.equal(other.status, 403);
  const bad = await call("/v1/users/not-a-uuid", { token: alice.token });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.detail[0].loc, ["path", "user_id"]);
});

Deno.test("the export holds the caller's data and nothing secret", async () => {
  const user = await signUpUser("Exporter");
  const { status, body } = await call("/v1/users/profile/export", { token: user.token });
  assert.equal(status, 200);
  assert.equal(body.profile.id, user.id);
  assert.equal(body.profile.full_name, "Exporter");
  for (const key of ["providers", "model_configs", "chats", "jobs"]) assert.ok(Array.isArray(body[key]), key);
  assert.ok(!JSON.stringify(body).includes("vault_secret_id"));
});
