/**
 * Abuse: what the rate limits and the sign-in lockout hold against, through a gateway and an api
 * function of their own with the production defaults (the stack's own functions run with raised
 * limits for the test suite). Requests leave from loopback addresses of their own, the client
 * addresses the gateway appends to `x-forwarded-for`; Auth sits behind a proxy that counts the
 * password sign-ins reaching it.
 *
 * 1. 1,000 wrong passwords against one account from one address (8 at a time, every one with a
 *    forged `x-forwarded-for`): how many reached Auth; then the owner signs in from another address.
 * 2. A flood of replies and of image jobs from one user (20 at a time) while another user goes on:
 *    429s with Retry-After past the limits, the other user unaffected, no 5xx, refused replies
 *    stored nothing, and Postgres's connection count (pg_stat_activity, sampled) bounded.
 * Passes when all of that holds. Needs a running local stack (SUPABASE_* variables).
 *
 *   deno run -A proof/abuse.ts [--attempts=1000] [--flood=300] [--concurrency=8]
 */
import { signUpUser, type TestUser } from "../tests/helpers/api.ts";
import { createChat } from "../tests/helpers/chats.ts";
import { db, env } from "../tests/helpers/env.ts";
import { startFakeImages } from "../tests/helpers/fake_images.ts";
import { startFakeLlm } from "../tests/helpers/fake_llm.ts";
import { giveImageProvider } from "../tests/helpers/jobs.ts";
import { type Answer, loopbackAddress, type Sent, startLimitedApi } from "../tests/helpers/limited_api.ts";
import { hasLocalPooler, poolerClients } from "../tests/helpers/pooler.ts";
import { addFakeModel } from "../tests/helpers/replies.ts";
import { parseLimitsConfig } from "../shared/limits/config.ts";

const flag = (name: string, fallback: number) =>
  Number(Deno.args.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const attempts = flag("attempts", 1000);
const flood = flag("flood", 300);
const concurrency = flag("concurrency", 8);
const defaults = parseLimitsConfig({});
const failures: string[] = [];
const expect = (ok: boolean, what: string) => ok || failures.push(what);

/** A proxy in front of the stack's gateway counting the password sign-ins that reach Auth. */
function countingAuth() {
  const counted = { passwordGrants: 0 };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    if (url.pathname === "/auth/v1/token" && url.searchParams.get("grant_type") === "password") {
      counted.passwordGrants++;
    }
    return fetch(env.url + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  });
  return { url: `http://127.0.0.1:${server.addr.port}`, counted, close: () => server.shutdown() };
}

/** Runs `total` calls of `one`, `width` at a time. */
async function inParallel<T>(total: number, width: number, one: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  const lane = async () => {
    while (next < total) {
      const i = next++;
      results[i] = await one(i);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

const tally = (answers: Answer[]) => {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts].sort(([a], [b]) => a - b).map(([status, n]) => `${status}×${n}`).join(" ");
};
const retryAfters = (answers: Answer[]) =>
  answers.filter((a) => a.status === 429).map((a) => Number(a.headers.get("retry-after")));
const range = (values: number[]) => values.length ? `${Math.min(...values)}–${Math.max(...values)}` : "—";

const sql = db({ max: 3 });
/** The proof's api function's connections carry this name (pg_stat_activity.application_name). */
const APPLICATION = "abuse-proof-api";

/** Its connections: the pooler's clients when the functions go through one, else Postgres's backends. */
async function connections(): Promise<number> {
  if (hasLocalPooler) {
    return (await poolerClients()).filter((client) => client.application_name === APPLICATION).length;
  }
  const [{ n }] = await sql<{ n: number }[]>`
    select count(*)::int as n from pg_stat_activity where application_name = ${APPLICATION}`;
  return n;
}

/** Samples the connection count every 50 ms while `work` runs. */
async function sampled<T>(work: () => Promise<T>): Promise<{ result: T; samples: number[] }> {
  const samples: number[] = [];
  let running = true;
  const sampler = (async () => {
    while (running) {
      samples.push(await connections());
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    return { result: await work(), samples };
  } finally {
    running = false;
    await sampler;
  }
}

async function bruteForce(
  api: Awaited<ReturnType<typeof startLimitedApi>>,
  auth: ReturnType<typeof countingAuth>,
) {
  const victim = await signUpUser();
  const attacker = loopbackAddress();
  const before = auth.counted.passwordGrants;
  const started = performance.now();
  const answers = await inParallel(attempts, concurrency, (i) =>
    api.call("/v1/auth/signin", {
      from: attacker,
      body: { email: victim.email, password: `wrong-${i}` },
      headers: { "x-forwarded-for": `198.51.100.${i % 250}` },
    }));
  const seconds = (performance.now() - started) / 1000;
  const reached = auth.counted.passwordGrants - before;
  const right = { email: victim.email, password: victim.password };
  const attackerWithRight = await api.call("/v1/auth/signin", { from: attacker, body: right });
  const owner = await api.call("/v1/auth/signin", { from: loopbackAddress(), body: right });
  const { after } = defaults.lockout;

  console.log(
    `\n### ${attempts} wrong passwords, one account, one address (${concurrency} at a time, ${
      seconds.toFixed(1)
    } s)\n`,
  );
  console.log("| figure | value |\n| --- | --- |");
  console.log(`| answers | ${tally(answers)} |`);
  console.log(`| reached Auth (password grants counted at its door) | ${reached} |`);
  console.log(`| lockout threshold (SIGN_IN_LOCKOUT_AFTER) | ${after} |`);
  console.log(`| Retry-After of the 429s (s) | ${range(retryAfters(answers))} |`);
  console.log(`| right password from the attacker's address | ${attackerWithRight.status} |`);
  console.log(`| owner from another address | ${owner.status} |`);

  expect(reached === after, `${reached} wrong passwords reached Auth (threshold ${after})`);
  expect(answers.filter((a) => a.status === 401).length === reached, "every 401 was Auth's");
  expect(answers.every((a) => a.status === 401 || a.status === 429), "only 401s and 429s");
  expect(retryAfters(answers).every((s) => s >= 1), "every 429 carries Retry-After");
  expect(attackerWithRight.status === 429, "the attacker's address stays locked, right password or not");
  expect(owner.status === 200, "the owner signs in from another address");
}

interface FloodUser {
  user: TestUser;
  chatId: string;
}

async function floodUser(llm: ReturnType<typeof startFakeLlm>, images: ReturnType<typeof startFakeImages>) {
  const user = await signUpUser();
  // Chat on groq, images on openai (each provider row has one base URL: its fake's).
  await addFakeModel(user, llm, "groq");
  await giveImageProvider(sql, user.id, images.baseUrl);
  const { id: chatId } = await createChat(user);
  return { user, chatId } satisfies FloodUser;
}

const reply = (api: Awaited<ReturnType<typeof startLimitedApi>>, who: FloodUser, i: number) =>
  api.call(
    `/v1/chats/${who.chatId}/messages`,
    { token: who.user.token, body: { content: `flood ${i}` } } as Sent,
  );
const job = (api: Awaited<ReturnType<typeof startLimitedApi>>, who: FloodUser, i: number) =>
  api.call("/v1/jobs/image-generation", {
    token: who.user.token,
    body: { job_type: "image_generation", input_data: { prompt: `flood ${i}` } },
  });

async function floods(api: Awaited<ReturnType<typeof startLimitedApi>>) {
  const llm = startFakeLlm();
  const images = startFakeImages();
  try {
    const [flooder, bystander] = [await floodUser(llm, images), await floodUser(llm, images)];
    const baseline = await connections();
    const { result, samples } = await sampled(() =>
      Promise.all([
        inParallel(flood, 20, (i) => reply(api, flooder, i)),
        inParallel(flood, 20, (i) => job(api, flooder, i)),
        inParallel(5, 1, (i) => reply(api, bystander, i)),
        inParallel(5, 1, (i) => job(api, bystander, i)),
      ])
    );
    const [replies, jobs, otherReplies, otherJobs] = result;
    const after = await connections();
    const [{ messages }] = await sql<{ messages: number }[]>`
      select count(*)::int as messages from public.messages where chat_id = ${flooder.chatId}`;
    const [{ created }] = await sql<{ created: number }[]>`
      select count(*)::int as created from public.jobs where user_id = ${flooder.user.id}`;
    const rules = defaults.rules;

    console.log(
      `\n### A flood from one user (${flood} replies and ${flood} image jobs, 20 at a time each)\n`,
    );
    console.log("| requests | answers | Retry-After (s) | stored |\n| --- | --- | --- | --- |");
    console.log(
      `| flooder's replies (limit ${rules.replies.max}/${rules.replies.windowSeconds} s) | ${
        tally(replies)
      } | ${range(retryAfters(replies))} | ${messages} messages |`,
    );
    console.log(
      `| flooder's image jobs (limit ${rules.image_jobs.max}/${rules.image_jobs.windowSeconds} s) | ${
        tally(jobs)
      } | ${range(retryAfters(jobs))} | ${created} jobs |`,
    );
    console.log(`| other user's replies | ${tally(otherReplies)} | — | |`);
    console.log(`| other user's image jobs | ${tally(otherJobs)} | — | |`);
    console.log("\n| Postgres connections of the api function | value |\n| --- | --- |");
    console.log(`| before the flood | ${baseline} |`);
    console.log(`| during (${samples.length} samples) | ${range(samples)} |`);
    console.log(`| after | ${after} |`);

    const all = [...replies, ...jobs, ...otherReplies, ...otherJobs];
    expect(all.every((a) => a.status < 500), "no 5xx");
    expect(
      replies.filter((a) => a.status === 200).length === rules.replies.max,
      "replies accepted = the limit",
    );
    expect(jobs.filter((a) => a.status === 200).length === rules.image_jobs.max, "jobs accepted = the limit");
    expect(
      retryAfters([...replies, ...jobs]).length === 2 * flood - rules.replies.max - rules.image_jobs.max,
      "the rest 429",
    );
    expect(retryAfters([...replies, ...jobs]).every((s) => s >= 1), "every 429 carries Retry-After");
    expect(messages === 2 * rules.replies.max, "refused replies stored no message");
    expect(created === rules.image_jobs.max, "refused jobs stored nothing");
    expect([...otherReplies, ...otherJobs].every((a) => a.status === 200), "the other user is unaffected");
    // The function's pools bound its connections (DB_POOL_MAX transactions + as many statements).
    expect(Math.max(...samples) <= baseline + 2 * 10, `connections peaked at ${Math.max(...samples)}`);
  } finally {
    await llm.close();
    await images.close();
  }
}

const auth = countingAuth();
const api = await startLimitedApi({}, { supabaseUrl: auth.url, applicationName: APPLICATION });
try {
  await bruteForce(api, auth);
  await floods(api);
} finally {
  await api.close();
  await auth.close();
  await sql.end();
}
console.log(failures.length ? `\nFAILED:\n- ${failures.join("\n- ")}` : "\nAll held.");
if (failures.length) Deno.exit(1);
