/**
 * Chat search (GET /v1/chats/search) for one user with 100,000 messages: latency p50/p99 through the
 * gateway, and the service's own statement run as the user in SQL with the search indexes and
 * without them (bitmap and index scans off: Postgres then computes every message's tsvector), as a
 * ratio. The messages are made of a 5,000-word vocabulary (Zipf-like), a rare word planted in 100.
 *
 * Usage (a running local stack, SUPABASE_* set):
 *   deno run -A bench/search.ts [--messages 100000] [--runs 40] [--baseline-runs 8]
 * @module
 */
import { parseArgs } from "node:util";
import { call, signUpUser } from "../tests/helpers/api.ts";
import { db } from "../tests/helpers/env.ts";
import type { Reader, Tx } from "../shared/db/client.ts";
import { searchChats } from "../shared/chats/search.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    messages: { type: "string", default: "100000" },
    runs: { type: "string", default: "40" },
    "baseline-runs": { type: "string", default: "8" },
  },
});
const total = Number(values.messages);
const runs = Number(values.runs);
const baselineRuns = Number(values["baseline-runs"]);
const CHATS = 500;

const vocabulary = Array.from({ length: 5000 }, (_, i) => `w${i.toString(36)}x`);
/** A word, the frequent ones far more often (rank ~ 1/x). */
const word = () =>
  vocabulary[Math.min(vocabulary.length - 1, Math.floor(Math.exp(Math.random() * Math.log(5000))) - 1)];

const user = await signUpUser();
const sql = db();
const started = performance.now();
const chatIds = (await sql<{ id: string }[]>`
  insert into public.chats (user_id, title)
  select ${user.id}, 'bench chat ' || i from generate_series(1, ${CHATS}) i returning id`).map((r) => r.id);
for (let done = 0; done < total; done += 5000) {
  const rows = Array.from({ length: Math.min(5000, total - done) }, (_, i) => {
    const n = done + i;
    const words = Array.from({ length: 20 + (n % 40) }, word);
    if (n % (total / 100) === 0) words.splice(5, 0, "quetzalbench");
    return { chat_id: chatIds[n % CHATS], role: n % 2 ? "assistant" : "user", content: words.join(" ") };
  });
  await sql`insert into public.messages ${sql(rows, "chat_id", "role", "content")}`;
}
await sql`analyze public.messages`;
await sql`analyze public.chats`;
const seeded = (performance.now() - started) / 1000;

/** The search's statement as the user (RLS), with the indexes or without (baseline). */
const reader = (withIndex: boolean): Reader => (statement) =>
  sql.begin(async (tx) => {
    const claims = JSON.stringify({ sub: user.id, role: "authenticated", aud: "authenticated" });
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    if (
      !withIndex
    ) {
      await tx`select set_config('enable_bitmapscan', 'off', true), set_config('enable_indexscan', 'off', true)`;
    }
    return await statement(tx as unknown as Tx);
  }) as never;

async function timed(n: number, run: () => Promise<unknown>): Promise<number[]> {
  await run(); // warm
  const times: number[] = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await run();
    times.push(performance.now() - t);
  }
  return times.sort((a, b) => a - b);
}
const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const ms = (value: number) => value.toFixed(1);

const queries = [
  ["rare word (100 hits)", "quetzalbench"],
  ["very common word (no stop words in simple)", vocabulary[0]],
  ["two words, one excluded", `${vocabulary[3]} -${vocabulary[1]}`],
  ["phrase", `"${vocabulary[0]} ${vocabulary[1]}"`],
];

console.log(`seeded ${total} messages in ${CHATS} chats for one user in ${seeded.toFixed(1)} s`);
console.log(
  `load average before: ${(await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ")}`,
);
console.log(
  "| query | matching messages | API p50 | API p99 | SQL p50 | SQL p99 | SQL no index p50 | no index p99 | p50 ratio |",
);
console.log("|---|---|---|---|---|---|---|---|---|");
for (const [name, q] of queries) {
  const [{ hits }] = await sql<{ hits: number }[]>`
    select count(*)::int as hits from public.messages m join public.chats c on c.id = m.chat_id
    where c.user_id = ${user.id}
      and to_tsvector('simple'::regconfig, left(m.content, 100000)) @@ websearch_to_tsquery('simple', ${q})`;
  const api = await timed(runs, async () => {
    const response = await call(`/v1/chats/search?q=${encodeURIComponent(q)}&limit=20`, {
      token: user.token,
    });
    if (response.status !== 200) throw new Error(`search: ${response.status}`);
  });
  const indexed = await timed(runs, () => searchChats(reader(true), user.id, q, 20));
  const bare = await timed(baselineRuns, () => searchChats(reader(false), user.id, q, 20));
  console.log(
    `| ${name} | ${hits} | ${ms(pct(api, 0.5))} | ${ms(pct(api, 0.99))} | ${ms(pct(indexed, 0.5))} | ` +
      `${ms(pct(indexed, 0.99))} | ${ms(pct(bare, 0.5))} | ${ms(pct(bare, 0.99))} | ` +
      `${(pct(bare, 0.5) / pct(indexed, 0.5)).toFixed(1)}× |`,
  );
}
console.log(
  `load average after: ${(await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ")}`,
);
console.log(`(${runs} runs each with the indexes, ${baselineRuns} without; times in ms)`);
await sql`delete from auth.users where id = ${user.id}`;
await sql.end();
