import assert from "node:assert/strict";
import { decodeJwt } from "jose";
import { call, randomEmail, signUpUser } from "../helpers/api.ts";

Deno.test("sign-up returns the user, tokens, the real session id, and creates the profile", async () => {
  const email = randomEmail("signup");
  const { status, body } = await call("/v1/auth/signup", {
    method: "POST",
    body: { email, password: "correct-horse-battery", full_name: "Ada Lovelace" },
  });
  assert.equal(status, 200);
  assert.equal(body.user.email, email);
  assert.equal(body.user.full_name, "Ada Lovelace");
  assert.equal(body.tokens.token_type, "bearer");
  assert.ok(body.tokens.expires_in > 0);
  const claims = decodeJwt(body.tokens.access_token);
  assert.equal(body.session.session_id, claims.session_id);
  assert.notEqual(body.session.session_id, body.user.id);
  assert.equal(body.account_status.deletion_scheduled, false);

  const profile = await call("/v1/users/profile", { token: body.tokens.access_token });
  assert.equal(profile.status, 200);
  assert.equal(profile.body.email, email);
  assert.equal(profile.body.full_name, "Ada Lovelace");
});

Deno.test("sign-up accepts `name` as an alias of full_name", async () => {
  const { status, body } = await call("/v1/auth/signup", {
    method: "POST",
    body: { email: randomEmail("alias"), password: "correct-horse-battery", name: "Grace Hopper" },
  });
  assert.equal(status, 200);
  assert.equal(body.user.full_name, "Grace Hopper");
});

Deno.test("sign-up refuses a duplicate email (422 user_already_exists, never 409) and a short password (422, FastAPI shape)", async () => {
  const user = await signUpUser();
  const duplicate = await call("/v1/auth/signup", {
    method: "POST",
    body: { email: user.email, password: "another-password-1" },
  });
  assert.equal(duplicate.status, 422);
  assert.equal(duplicate.body.code, "user_already_exists");
  assert.match(duplicate.body.detail, /already exists/);
  assert.equal(duplicate.body.message, duplicate.body.detail);

  const short = await call("/v1/auth/signup", {
    method: "POST",
    body: { email: randomEmail(), password: "short" },
  });
  assert.equal(short.status, 422);
  assert.equal(short.body.code, "validation_error");
  assert.deepEqual(short.body.detail[0].loc, ["body", "password"]);
  assert.equal(typeof short.body.detail[0].msg, "string");
  assert.equal(typeof short.body.detail[0].type, "string");

  const missing = await call("/v1/auth/signup", { method: "POST", body: { password: "long-enough-pw" } });
  assert.equal(missing.status, 422);
  assert.deepEqual(missing.body.detail[0], {
    loc: ["body", "email"],
    msg: "Field required",
    type: "missing",
  });
});

Deno.test("malformed JSON is a 400, a body without a JSON content type a 4xx, an oversize body a 413", async () => {
  const malformed = await call("/v1/auth/signin", {
    method: "POST",
    body: "{not json",
    headers: { "content-type": "application/json" },
  });
  assert.equal(malformed.status, 400);
  assert.match(malformed.body.detail, /not valid JSON/);

  const plain = await call("/v1/auth/signin", {
    method: "POST",
    body: JSON.stringify({ email: "a@b.test", password: "x" }),
    headers: { "content-type": "text/plain" },
  });
  assert.ok(plain.status >= 400 && plain.status < 500, `status ${plain.status}`);

  const huge = await call("/v1/auth/signin", {
    method: "POST",
    body: JSON.stringify({ email: "a@b.test", password: "x".repeat(2 * 1024 * 1024) }),
    headers: { "content-type": "application/json" },
  });
  assert.equal(huge.status, 413);
  assert.equal(huge.body.code, "payload_too_large");
});

Deno.test("sign-in works, and a wrong password is 401 Invalid credentials", async () => {
  const user = await signUpUser();
  const ok = await call("/v1/auth/signin", {
    method: "POST",
    body: { email: user.email, password: user.password },
  });
  assert.equal(ok.status, 200);
  assert.equal(ok.body.user.id, user.id);
  assert.ok(ok.body.user.last_sign_in_at);
  assert.notEqual(ok.body.session.session_id, user.sessionId, "each sign-in is a new session");

  const wrong = await call("/v1/auth/signin", {
    method: "POST",
    body: { email: user.email, password: "wrong-password" },
  });
  assert.equal(wrong.status, 401);
  assert.equal(wrong.body.detail, "Invalid credentials");
});

Deno.test("refresh exchanges a refresh token; an unknown one is 401", async () => {
  const user = await signUpUser();
  const refreshed = await call("/v1/auth/refresh", {
    method: "POST",
    body: { refresh_token: user.refreshToken },
  });
  assert.equal(refreshed.status, 200);
  assert.notEqual(refreshed.body.tokens.refresh_token, user.refreshToken);
  assert.equal(refreshed.body.session.session_id, user.sessionId);

  const unknown = await call("/v1/auth/refresh", { method: "POST", body: { refresh_token: "abcdefghijkl" } });
  assert.equal(unknown.status, 401);
});

Deno.test("sign-out ends the session: its refresh token stops working", async () => {
  const user = await signUpUser();
  const out = await call("/v1/auth/signout", { method: "POST", token: user.token });
  assert.equal(out.status, 200);
  assert.deepEqual(out.body, { revoked_sessions: 1 });
  const after = await call("/v1/auth/refresh", {
    method: "POST",
    body: { refresh_token: user.refreshToken },
  });
  assert.equal(after.status, 401);

  const anonymous = await call("/v1/auth/signout", { method: "POST" });
  assert.equal(anonymous.status, 401);
});

Deno.test("sign-in cancels a pending account deletion and reports it", async () => {
  const user = await signUpUser();
  const scheduled = await call("/v1/users/profile", { method: "DELETE", token: user.token });
  assert.equal(scheduled.status, 200);

  const signIn = await call("/v1/auth/signin", {
    method: "POST",
    body: { email: user.email, password: user.password },
  });
  assert.equal(signIn.status, 200);
  const status = signIn.body.account_status;
  assert.equal(status.deletion_canceled, true);
  assert.equal(status.deletion_scheduled, false);
  assert.equal(
    Date.parse(status.previous_deletion_scheduled_for),
    Date.parse(scheduled.body.deletion_scheduled_for),
  );
  assert.equal(
    Date.parse(status.previous_deletion_requested_at),
    Date.parse(scheduled.body.deletion_requested_at),
  );

  const profile = await call("/v1/users/profile", { token: signIn.body.tokens.access_token });
  assert.equal(profile.body.deletion_status, "active");
});

Deno.test("the three placeholder sign-in methods answer 202 coming_soon", async () => {
  const cases: [string, unknown, string][] = [
    ["/v1/auth/signin/magic-link", { email: randomEmail() }, "magic_link"],
    ["/v1/auth/signin/otp", { phone: "+15551234567" }, "sms_otp"],
    ["/v1/auth/signin/oauth", { provider: "GitHub" }, "oauth:github"],
  ];
  for (const [path, payload, feature] of cases) {
    const { status, body } = await call(path, { method: "POST", body: payload });
    assert.equal(status, 202);
    assert.equal(body.feature, feature);
    assert.equal(body.status, "coming_soon");
    assert.equal(typeof body.message, "string");
  }
  const shortPhone = await call("/v1/auth/signin/otp", { method: "POST", body: { phone: "123" } });
  assert.equal(shortPhone.status, 422);
});
