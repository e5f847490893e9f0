/**
 * The rate limits through the HTTP stack: an api function of its own with low limits behind a
 * gateway of its own (tests/helpers/limited_api.ts; the stack's functions run with raised limits so
 * the rest of the suite is not throttled). Requests leave from loopback addresses of their own, the
 * client addresses the gateway appends to `x-forwarded-for`. Each limit refuses past its threshold
 * with 429 `rate_limited`, `Retry-After` and a sentence, and the refused request wrote nothing;
 * other users and addresses go on. A client's own `x-forwarded-for` changes nothing.
 */
import assert from "node:assert/strict";
import { call as stackCall, randomEmail, signUpUser } from "../helpers/api.ts";
import { createChat } from "../helpers/chats.ts";
import { db, isLocalStack } from "../helpers/env.ts";
import { startFakeImages } from "../helpers/fake_images.ts";
import { startFakeLlm } from "../helpers/fake_llm.ts";
import { giveImageProvider } from "../helpers/jobs.ts";
import { type Answer, loopbackAddress, startLimitedApi } from "../helpers/limited_api.ts";
import { userWithFakeModel } from "../helpers/replies.ts";

const SETTINGS = {
  RATE_LIMIT_SIGN_UP: "3/1h",
  RATE_LIMIT_SIGN_IN: "8/1h",
  RATE_LIMIT_REPLIES: "3/1h",
  RATE_LIMIT_IMAGE_JOBS: "2/1h",
  RATE_LIMIT_WAITLIST: "2/1h",
  SIGN_IN_LOCKOUT_AFTER: "3",
  SIGN_IN_LOCKOUT_SECONDS: "60",
};

/** A 429 as the limits answer it: code, Retry-After within the window, a sentence. */
function assertLimited(answer: Answer, words: RegExp, windowSeconds: number) {
  assert.equal(answer.status, 429, JSON.stringify(answer.body));
  assert.equal(answer.body.code, "rate_limited");
  const retryAfter = Number(answer.headers.get("retry-after"));
  assert.ok(retryAfter >= 1 && retryAfter <= windowSeconds, `Retry-After ${retryAfter}`);
  assert.match(answer.body.message, words);
  assert.match(answer.body.message, new RegExp(`Try again in ${retryAfter} seconds?\\.`));
}

Deno.test({
  name: "rate limits: replies, image jobs, sign-ups and sign-ins refused past their thresholds",
  ignore: !isLocalStack,
  sanitizeOps: false,
  sanitizeResources: false,
  async fn(t) {
    const api = await startLimitedApi(SETTINGS);
    const sql = db();
    const llm = startFakeLlm();
    const images = startFakeImages();
    try {
      await t.step("sign-up: 3 per address, then 429; the refused account is not created", async () => {
        const from = loopbackAddress();
        for (let i = 0; i < 3; i++) {
          const answer = await api.call("/v1/auth/signup", {
            from,
            body: { email: randomEmail(), password: "pw-12345678" },
          });
          assert.equal(answer.status, 200, JSON.stringify(answer.body));
        }
        const refusedEmail = randomEmail();
        const refused = await api.call("/v1/auth/signup", {
          from,
          body: { email: refusedEmail, password: "pw-12345678" },
          // A forged address first: the gateway appends the real one, which is what counts.
          headers: { "x-forwarded-for": "203.0.113.7" },
        });
        assertLimited(refused, /Too many sign-ups from your network: at most 3 per hour/, 3600);
        const [{ count }] = await sql`select count(*)::int from auth.users where email = ${refusedEmail}`;
        assert.equal(count, 0, "no account for the refused sign-up");
        const elsewhere = await api.call("/v1/auth/signup", {
          from: loopbackAddress(),
          body: { email: randomEmail(), password: "pw-12345678" },
        });
        assert.equal(elsewhere.status, 200, "another address signs up");
      });

      await t.step(
        "sign-in: 8 per address, then 429 even with the right password and a forged header",
        async () => {
          const user = await signUpUser();
          const from = loopbackAddress();
          const credentials = { email: user.email, password: user.password };
          for (let i = 0; i < 8; i++) {
            const answer = await api.call("/v1/auth/signin", { from, body: credentials });
            assert.equal(answer.status, 200, JSON.stringify(answer.body));
          }
          for (const forged of [undefined, "198.51.100.1", "198.51.100.2, 198.51.100.3"]) {
            const refused = await api.call("/v1/auth/signin", {
              from,
              body: credentials,
              headers: forged ? { "x-forwarded-for": forged } : {},
            });
            assertLimited(refused, /Too many sign-in attempts from your network: at most 8 per hour/, 3600);
          }
          const elsewhere = await api.call("/v1/auth/signin", { from: loopbackAddress(), body: credentials });
          assert.equal(elsewhere.status, 200);
        },
      );

      await t.step(
        "lockout: 3 wrong passwords lock (email, address) out; the owner signs in elsewhere",
        async () => {
          const user = await signUpUser();
          const attacker = loopbackAddress();
          const wrong = { email: user.email, password: "wrong-password" };
          for (let i = 0; i < 3; i++) {
            const answer = await api.call("/v1/auth/signin", { from: attacker, body: wrong });
            assert.equal(answer.status, 401, JSON.stringify(answer.body));
          }
          const locked = await api.call("/v1/auth/signin", { from: attacker, body: wrong });
          assertLimited(locked, /Too many failed sign-ins for this email from your network/, 60);
          // Even the right password: the attempt never reaches Auth.
          const right = { email: user.email, password: user.password };
          const stillLocked = await api.call("/v1/auth/signin", {
            from: attacker,
            body: right,
            headers: { "x-forwarded-for": "192.0.2.44" },
          });
          assertLimited(stillLocked, /Too many failed sign-ins/, 60);
          const owner = await api.call("/v1/auth/signin", { from: loopbackAddress(), body: right });
          assert.equal(owner.status, 200, "the owner signs in from another address");

          // An unknown email gets the same answers.
          const unknown = { email: randomEmail("nobody"), password: "wrong-password" };
          const other = loopbackAddress();
          const answers = [];
          for (let i = 0; i < 4; i++) {
            answers.push(await api.call("/v1/auth/signin", { from: other, body: unknown }));
          }
          assert.deepEqual(answers.map((a) => a.status), [401, 401, 401, 429]);
          assert.equal(answers[0].body.message, "Invalid credentials");
          assert.equal(
            answers[3].body.message.replace(/\d+/g, "N"),
            locked.body.message.replace(/\d+/g, "N"),
          );
        },
      );

      await t.step(
        "password change: wrong current passwords count toward the lockout, as sign-ins do",
        async () => {
          const user = await signUpUser();
          const attacker = loopbackAddress();
          const change = (from: string, old: string) =>
            api.call("/v1/auth/password/change", {
              from,
              token: user.token,
              body: { old, new: "a-brand-new-password" },
            });
          for (let i = 0; i < 3; i++) {
            const answer = await change(attacker, `wrong-${i}`);
            assert.equal(answer.status, 400, JSON.stringify(answer.body));
          }
          assertLimited(await change(attacker, user.password), /Too many failed sign-ins/, 60);
          const signIn = { email: user.email, password: user.password };
          assertLimited(await api.call("/v1/auth/signin", { from: attacker, body: signIn }), /failed/, 60);
          const owner = await change(loopbackAddress(), user.password);
          assert.equal(owner.status, 200, JSON.stringify(owner.body));
        },
      );

      await t.step("waitlist: 2 per address, then 429 and the application is not stored", async () => {
        const from = loopbackAddress();
        const apply = (email: string) => api.call("/v1/waitlist", { from, body: { name: "Limited", email } });
        for (let i = 0; i < 2; i++) assert.equal((await apply(randomEmail("wl"))).status, 201);
        const refusedEmail = randomEmail("wl-refused");
        assertLimited(await apply(refusedEmail), /Too many waitlist applications from your network/, 3600);
        const [{ n }] = await sql<{ n: number }[]>`
          select count(*)::int as n from public.waitlist_entries where email = ${refusedEmail}`;
        assert.equal(n, 0, "the refused application is not stored");
        const elsewhere = await api.call("/v1/waitlist", {
          from: loopbackAddress(),
          body: { name: "Elsewhere", email: refusedEmail },
        });
        assert.equal(elsewhere.status, 201, "another address applies");
      });

      await t.step("a successful sign-in clears that address's failures for the email", async () => {
        const user = await signUpUser();
        const from = loopbackAddress();
        const attempt = (password: string) =>
          api.call("/v1/auth/signin", { from, body: { email: user.email, password } }).then((a) => a.status);
        assert.deepEqual([await attempt("wrong-1"), await attempt("wrong-2")], [401, 401]);
        assert.equal(await attempt(user.password), 200);
        assert.deepEqual([await attempt("wrong-3"), await attempt("wrong-4"), await attempt("wrong-5")], [
          401,
          401,
          401,
        ]);
        assert.equal(await attempt("wrong-6"), 429);
      });

      await t.step("replies: 3 per user, then 429 and the user message is not stored", async () => {
        const { user } = await userWithFakeModel(llm, "openai");
        const chat = await createChat(user);
        const send = (content: string) =>
          api.call(`/v1/chats/${chat.id}/messages`, { token: user.token, body: { content } });
        for (let i = 0; i < 3; i++) assert.equal((await send(`hello ${i}`)).status, 200);
        const before = await sql`select count(*)::int as n from public.messages where chat_id = ${chat.id}`;
        const refused = await send("one too many");
        assertLimited(refused, /Too many replies: at most 3 per hour/, 3600);
        const after = await sql`select count(*)::int as n from public.messages where chat_id = ${chat.id}`;
        assert.equal(after[0].n, before[0].n, "the refused message was not stored");
        assert.equal(before[0].n, 6, "three turns stored");
        // A message that calls no provider is not a reply: stored as usual.
        const note = await api.call(`/v1/chats/${chat.id}/messages`, {
          token: user.token,
          body: { role: "assistant", content: "a note" },
        });
        assert.equal(note.status, 200, JSON.stringify(note.body));

        const other = await userWithFakeModel(llm, "openai");
        const otherChat = await createChat(other.user);
        const answer = await api.call(`/v1/chats/${otherChat.id}/messages`, {
          token: other.user.token,
          body: { content: "hello" },
        });
        assert.equal(answer.status, 200, "another user is not limited");
      });

      await t.step("image jobs: 2 per user through the API, then 429 and no job", async () => {
        const user = await signUpUser();
        await giveImageProvider(sql, user.id, images.baseUrl);
        const create = () =>
          api.call("/v1/jobs/image-generation", {
            token: user.token,
            body: { job_type: "image_generation", input_data: { prompt: "a lighthouse" } },
          });
        for (let i = 0; i < 2; i++) assert.equal((await create()).status, 200);
        assertLimited(await create(), /Too many image jobs: at most 2 per hour/, 3600);
        const [{ n }] = await sql`select count(*)::int as n from public.jobs where user_id = ${user.id}`;
        assert.equal(n, 2);

        const other = await signUpUser();
        await giveImageProvider(sql, other.id, images.baseUrl);
        const answer = await api.call("/v1/jobs/image-generation", {
          token: other.token,
          body: { job_type: "image_generation", input_data: { prompt: "a lighthouse" } },
        });
        assert.equal(answer.status, 200, "another user is not limited");
        // The stack's own api (raised limits) answers this user as usual: the rule is the function's.
        const stack = await stackCall("/v1/jobs/image-generation", {
          method: "POST",
          token: user.token,
          body: { job_type: "image_generation", input_data: { prompt: "a lighthouse" } },
        });
        assert.equal(stack.status, 200, JSON.stringify(stack.body));
      });
    } finally {
      await api.close();
      await llm.close();
      await images.close();
      await sql.end();
    }
  },
});
