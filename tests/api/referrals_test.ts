/**
 * Invite and referral codes as the app uses them (API-LATER.md §2, §3): the referral centre (also
 * under the app's doubled `/v1/v1/` prefix), sending invitations, signing up with a code, atomic
 * redemption under parallel sign-ups, code validation, and the invite gate when configured.
 */
import assert from "node:assert/strict";
import { call, randomEmail, signUpUser, type TestUser } from "../helpers/api.ts";
import {
  INVITE_VALIDITY,
  parses,
  REFERRAL,
  REFERRAL_CENTRE,
  REFERRAL_SENT,
  REFERRAL_STATS,
} from "../helpers/app_parser.ts";
import { withDb } from "../helpers/chats.ts";
import { loopbackAddress, startLimitedApi } from "../helpers/limited_api.ts";

const centre = (user: TestUser, prefix = "/v1") => call(`${prefix}/referral/list`, { token: user.token });

const accountsWithEmail = (email: string) =>
  withDb(async (sql) => (await sql`select 1 from auth.users where email = ${email}`).length);

/** An operator's code (no owner) with `maxUses` uses. */
async function operatorCode(maxUses: number): Promise<string> {
  const code = `TEST-${crypto.randomUUID().slice(0, 8).toUpperCase()}`;
  await withDb((sql) => sql`insert into public.invite_codes (code, max_uses) values (${code}, ${maxUses})`);
  return code;
}

const signUpWith = (body: Record<string, unknown>) =>
  call("/v1/auth/signup", {
    method: "POST",
    body: { email: randomEmail("invited"), password: `pw-${crypto.randomUUID()}`, ...body },
  });

Deno.test("the referral centre: the caller's code (made once), link, message, empty list and counts", async () => {
  const user = await signUpUser();
  const first = await centre(user);
  assert.equal(first.status, 200, JSON.stringify(first.body));
  parses(first.body, REFERRAL_CENTRE, "GET /v1/referral/list");
  parses(first.body.stats, REFERRAL_STATS, "stats");
  const code = first.body.invite_code;
  assert.match(code, /^POCKET-[A-Z0-9]{6}$/);
  assert.deepEqual(
    [first.body.max_uses, first.body.uses_count, first.body.remaining_uses, first.body.referrals],
    [5, 0, 5, []],
  );
  assert.deepEqual(first.body.stats, { total_sent: 0, total_joined: 0, pending: 0, rewards_issued: 0 });
  assert.equal(new URL(first.body.invite_link).searchParams.get("invite_code"), code);
  assert.equal(
    first.body.share_message,
    `Join me on PocketLLM with my invite code ${code}: ${first.body.invite_link}`,
  );

  const doubled = await centre(user, "/v1/v1");
  assert.equal(doubled.status, 200, "the app's doubled prefix is served");
  assert.equal(doubled.body.invite_code, code, "the code is created once");
  const profile = await call("/v1/users/profile", { token: user.token });
  assert.equal(profile.body.invite_code, code);
});

Deno.test("the doubled prefix is an alias for these screens only, and stays out of the OpenAPI document", async () => {
  const user = await signUpUser();
  assert.equal((await call("/v1/v1/chats", { token: user.token })).status, 404);
  const document = await call("/openapi.json");
  const paths = Object.keys(document.body.paths);
  assert.ok(paths.includes("/api/v1/referral/list") || paths.includes("/v1/referral/list"), paths.join(" "));
  assert.deepEqual(paths.filter((path) => path.includes("/v1/v1/")), []);
});

Deno.test("sending an invitation: 201, once per email (sending again returns it), never to yourself", async () => {
  const user = await signUpUser();
  const friend = randomEmail("friend");
  const sent = await call("/v1/v1/referral/send", {
    method: "POST",
    token: user.token,
    body: { email: friend.toUpperCase(), full_name: "A Friend", message: "Try it!", channel: "sms" },
  });
  assert.equal(sent.status, 201, JSON.stringify(sent.body));
  parses(sent.body, REFERRAL_SENT, "POST /v1/referral/send");
  assert.equal(sent.body.status, "pending");
  const again = await call("/v1/referral/send", {
    method: "POST",
    token: user.token,
    body: { email: friend },
  });
  assert.equal(again.status, 201);
  assert.equal(again.body.referral_id, sent.body.referral_id);

  const self = await call("/v1/referral/send", {
    method: "POST",
    token: user.token,
    body: { email: user.email },
  });
  assert.equal(self.status, 422);
  assert.equal(self.body.code, "cannot_invite_self");
  for (
    const bad of [{ email: "not-an-email" }, { email: friend, full_name: "x".repeat(121) }, {
      email: randomEmail(),
      message: 5,
    }]
  ) {
    const refused = await call("/v1/referral/send", { method: "POST", token: user.token, body: bad });
    assert.equal(refused.status, 422, JSON.stringify(bad));
    assert.equal(typeof refused.body.message, "string");
  }

  const list = await centre(user);
  assert.equal(list.body.referrals.length, 1, "only the one invitation is stored");
  parses(list.body.referrals[0], REFERRAL, "referrals[0]");
  assert.equal(list.body.referrals[0].email, friend);
  assert.equal(list.body.stats.total_sent, 1);
  assert.equal(list.body.stats.pending, 1);
});

Deno.test("signing up with a code: the invitation becomes joined, the inviter is told, the profile records it", async () => {
  const inviter = await signUpUser("Inviter");
  const { body: { invite_code } } = await centre(inviter);
  const email = randomEmail("joiner");
  await call("/v1/referral/send", { method: "POST", token: inviter.token, body: { email } });

  const joined = await call("/v1/auth/signup", {
    method: "POST",
    body: { email, password: `pw-${crypto.randomUUID()}`, referral_code: ` ${invite_code.toLowerCase()} ` },
  });
  assert.equal(joined.status, 200, JSON.stringify(joined.body));
  const profile = await call("/v1/users/profile", { token: joined.body.tokens.access_token });
  assert.equal(profile.body.referral_code, invite_code);
  assert.equal(profile.body.referred_by, inviter.id);

  const after = await centre(inviter);
  assert.equal(after.body.uses_count, 1);
  assert.equal(after.body.remaining_uses, 4);
  assert.equal(after.body.referrals.length, 1);
  assert.equal(after.body.referrals[0].status, "joined");
  assert.equal(typeof after.body.referrals[0].accepted_at, "string");
  assert.deepEqual(after.body.stats, { total_sent: 1, total_joined: 1, pending: 0, rewards_issued: 1 });
  const notes = await call("/v1/notifications", { token: inviter.token });
  assert.deepEqual(notes.body.map((note: { type: string }) => note.type), ["referral_bonus"]);
  assert.equal(notes.body[0].entity_id, joined.body.user.id);
});

Deno.test("an unknown code is 404 and a used-up one 422: no account is made, no use is taken", async () => {
  const unknown = await signUpWith({ invite_code: "NO-SUCH-CODE" });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.code, "invite_code_not_found");

  const code = await operatorCode(1);
  assert.equal((await signUpWith({ invite_code: code })).status, 200);
  const email = randomEmail("late");
  const late = await call("/v1/auth/signup", {
    method: "POST",
    body: { email, password: `pw-${crypto.randomUUID()}`, invite_code: code },
  });
  assert.equal(late.status, 422);
  assert.equal(late.body.code, "invite_code_exhausted");
  assert.equal(await accountsWithEmail(email), 0);

  // A sign-up Auth refuses (the address is taken) gives its use back.
  const spare = await operatorCode(1);
  const taken = await signUpUser();
  const duplicate = await call("/v1/auth/signup", {
    method: "POST",
    body: { email: taken.email, password: `pw-${crypto.randomUUID()}`, invite_code: spare },
  });
  assert.equal(duplicate.status, 422);
  assert.equal(duplicate.body.code, "user_already_exists");
  const [row] = await withDb((sql) => sql`select uses_count from public.invite_codes where code = ${spare}`);
  assert.equal(row.uses_count, 0);
});

Deno.test("parallel sign-ups never pass a code's max_uses", async () => {
  const code = await operatorCode(3);
  const answers = await Promise.all(Array.from({ length: 12 }, () => signUpWith({ invite_code: code })));
  const statuses = answers.map((answer) => answer.status).sort();
  assert.deepEqual(statuses, [200, 200, 200, ...Array(9).fill(422)], JSON.stringify(statuses));
  const [row] = await withDb((sql) =>
    sql`select c.uses_count, (select count(*)::int from public.profiles p where p.referral_code = c.code) as members
          from public.invite_codes c where c.code = ${code}`
  );
  assert.deepEqual({ ...row }, { uses_count: 3, members: 3 });
});

Deno.test("validating a code: its validity and remaining uses, no internal ids; unknown is invalid", async () => {
  const code = await operatorCode(2);
  const valid = await call("/v1/auth/invite-codes/validate", {
    method: "POST",
    body: { code: code.toLowerCase() },
  });
  assert.equal(valid.status, 200);
  parses(valid.body, INVITE_VALIDITY, "validate");
  assert.deepEqual(valid.body, { valid: true, status: "active", remaining_uses: 2 });
  const unknown = await call("/v1/auth/invite-codes/validate", {
    method: "POST",
    body: { code: "NOPE-NOPE" },
  });
  assert.deepEqual(unknown.body, { valid: false, status: "inactive", remaining_uses: 0 });
  const empty = await call("/v1/auth/invite-codes/validate", { method: "POST", body: { code: "  " } });
  assert.equal(empty.status, 422);
});

Deno.test("the invite gate (INVITE_REQUIRED) and the per-address and per-user limits of these routes", async () => {
  const api = await startLimitedApi({
    INVITE_REQUIRED: "true",
    RATE_LIMIT_INVITE_VALIDATION: "2/1h",
    RATE_LIMIT_REFERRAL_SENDS: "2/1d",
  });
  try {
    const from = loopbackAddress();
    const password = `pw-${crypto.randomUUID()}`;
    const email = randomEmail("gated");
    const refused = await api.call("/v1/auth/signup", { body: { email, password }, from });
    assert.equal(refused.status, 403);
    assert.equal(refused.body.code, "invite_required");
    assert.equal(refused.body.message, "No invite code provided. Apply for an invite to continue.");
    assert.equal(await accountsWithEmail(email), 0);
    const code = await operatorCode(1);
    const admitted = await api.call("/v1/auth/signup", {
      body: { email, password, invite_code: code },
      from,
    });
    assert.equal(admitted.status, 200, JSON.stringify(admitted.body));

    const check = () => api.call("/v1/auth/invite-codes/validate", { body: { code }, from });
    assert.deepEqual([(await check()).status, (await check()).status], [200, 200]);
    const limited = await check();
    assert.equal(limited.status, 429);
    assert.equal(limited.body.code, "rate_limited");

    const token = admitted.body.tokens.access_token;
    const invite = () => api.call("/v1/referral/send", { body: { email: randomEmail() }, token, from });
    assert.deepEqual([(await invite()).status, (await invite()).status], [201, 201]);
    const over = await invite();
    assert.equal(over.status, 429);
    const stored = await withDb((sql) =>
      sql`select count(*)::int as n from public.referrals where inviter_id = ${admitted.body.user.id}`
    );
    assert.equal(stored[0].n, 2, "the refused invitation is not stored");
  } finally {
    await api.close();
  }
});
