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
    [{ username: "😀".repeat(41) }, "username"],
    [{ username: "tab\there" }, "username"],
    [{ bio: "b".repeat(501) }, "bio"],
    [{ preferences: ["dark"] }, "preferences"],
    [{ preferences: { theme: "x".repeat(17_000) } }, "preferences"],
    [{ onboarding: "english" }, "onboarding"],
    [{ bio: "ok", age: 12 }, "age"],
  ];
  for (const [payload, field] of cases) {
    const { status, body } = await call("/v1/users/profile", {
      method: "PUT",
      token: user.token,
      body: payload,
    });
    assert.equal(status, 422, JSON.stringify(payload));
    assert.deepEqual(body.detail[0].loc, ["body", field]);
    assert.equal(body.code, "validation_error");
    assert.ok(body.message.startsWith(`${field}: `), body.message);
  }
  const profile = await call("/v1/users/profile", { token: user.token });
  assert.equal(profile.body.age, null);
  assert.equal(profile.body.bio, null);
  assert.equal(profile.body.username, null);
  assert.deepEqual(profile.body.preferences, {});
  assert.deepEqual(profile.body.onboarding, {});
});

Deno.test("a 422 says in `message` which field failed and why, in words a person reads", async () => {
  const user = await signUpUser();
  const cases: [unknown, string][] = [
    [{ age: 12 }, "age: must be at least 13"],
    [{ age: "thirty" }, "age: must be a number"],
    [{ bio: "b".repeat(501) }, "bio: at most 500 characters"],
    [{ date_of_birth: "yesterday" }, "date_of_birth: must be a date (YYYY-MM-DD)"],
  ];
  for (const [payload, message] of cases) {
    const { body } = await call("/v1/users/profile", { method: "PUT", token: user.token, body: payload });
    assert.equal(body.message, message);
  }
  const signUp = await call("/v1/auth/signup", {
    method: "POST",
    body: { email: "x@example.test", password: "short" },
  });
  assert.equal(signUp.status, 422);
  assert.equal(signUp.body.message, "password: at least 8 characters");
  const missing = await call("/v1/auth/signin", { method: "POST", body: { email: "x@example.test" } });
  assert.equal(missing.body.message, "password: required");
});

Deno.test("unknown fields are ignored, and the known ones still change", async () => {
  const user = await signUpUser();
  const { status, body } = await call("/v1/users/profile", {
    method: "PUT",
    token: user.token,
    body: { email: "new@example.test", id: crypto.randomUUID(), theme: "dark", bio: "Kept" },
  });
  assert.equal(status, 200);
  assert.equal(body.bio, "Kept");
  assert.equal(body.email, user.email);
  assert.equal(body.id, user.id);
  assert.equal(body.theme, undefined);
});

Deno.test("usernames as the app allows them: spaces and any printable characters, 40 at most, blank clears", async () => {
  const user = await signUpUser();
  const put = (username: unknown) =>
    call("/v1/users/profile", { method: "PUT", token: user.token, body: { username } });
  const tag = crypto.randomUUID().slice(0, 6);
  const spaced = await put(`  Mobile Tester ${tag}  `);
  assert.equal(spaced.status, 200);
  assert.equal(spaced.body.username, `Mobile Tester ${tag}`);
  const prefix = `Zoë 😀 ${tag} `;
  const unicode = await put(prefix + "é".repeat(40 - [...prefix].length));
  assert.equal(unicode.status, 200, JSON.stringify(unicode.body));
  assert.equal([...unicode.body.username].length, 40);
  const blank = await put("   ");
  assert.equal(blank.status, 200);
  assert.equal(blank.body.username, null);
});

Deno.test("a username taken by someone else, in any case, is a 422 username_taken (never 409)", async () => {
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
  assert.equal(taken.status, 422);
  assert.equal(taken.body.code, "username_taken");
  assert.equal(taken.body.message, "This username is already taken.");
  const bobNow = await call("/v1/users/profile", { token: bob.token });
  assert.equal(bobNow.body.username, null);
});

Deno.test("preferences and onboarding are stored, returned, and merged one level deep", async () => {
  const user = await signUpUser();
  const put = (body: unknown) => call("/v1/users/profile", { method: "PUT", token: user.token, body });
  const fresh = await call("/v1/users/profile", { token: user.token });
  assert.deepEqual(fresh.body.preferences, {});
  assert.deepEqual(fresh.body.onboarding, {});

  await put({ preferences: { appearance: { theme: "dark", font_scale: 1.2 }, haptics: true } });
  const merged = await put({ preferences: { appearance: { theme: "light" } } });
  assert.deepEqual(merged.body.preferences, { appearance: { theme: "light" }, haptics: true });

  await put({ onboarding: { language: "de" } });
  const survey = await call("/v1/users/profile/onboarding", {
    method: "POST",
    token: user.token,
    body: { onboarding: { primary_goal: "learn", interests: ["math"] } },
  });
  const answers = { language: "de", primary_goal: "learn", interests: ["math"] };
  assert.deepEqual(survey.body.onboarding_responses, answers);
  assert.deepEqual(survey.body.onboarding, answers);
  const language = await put({ onboarding: { language: "fr" } });
  assert.deepEqual(language.body.onboarding, { ...answers, language: "fr" });
});

Deno.test("preferences that would grow past 16 KB once merged are a 422 and change nothing", async () => {
  const user = await signUpUser();
  const put = (body: unknown) => call("/v1/users/profile", { method: "PUT", token: user.token, body });
  const half = "x".repeat(9_000);
  assert.equal((await put({ preferences: { a: half } })).status, 200);
  const grown = await put({ preferences: { b: half }, bio: "not saved" });
  assert.equal(grown.status, 422);
  assert.equal(grown.body.code, "preferences_too_large");
  const profile = await call("/v1/users/profile", { token: user.token });
  assert.deepEqual(Object.keys(profile.body.preferences), ["a"]);
  assert.equal(profile.body.bio, null);
});

Deno.test("onboarding stores the answers, merged (onboarding_responses wins over onboarding)", async () => {
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
  assert.deepEqual(both.body.onboarding_responses, {
    primary_goal: "learn",
    interests: ["math"],
    custom: true,
  });
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
