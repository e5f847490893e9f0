/**
 * What the message tree costs a chat read: for a 1,000-message chat, the statements behind
 * `GET /v1/chats/{id}` run as the user (RLS, one transaction each, through the pooler as the api
 * function does), interleaved in one run:
 *
 * - flat (the read before trees): every message of the chat by (created_at, id);
 * - path: the active branch, walked up from the leaf, with each message's sibling place;
 * - all branches (`?branches=all`): every message with its sibling place;
 *
 * on a single-line chat and on one where every second answer was regenerated once (1,000 messages on
 * the path, 500 more beside it). And through HTTP: `GET /v1/chats/{id}` against `?branches=all`.
 *
 *   deno run -A bench/message-tree.ts [rounds=200]
 * @module
 */
import { asUser, createDatabase, type Tx } from "../shared/db/client.ts";
import { allMessages, pathMessages } from "../shared/chats/tree.ts";
import { call, signUpUser, type TestUser } from "../tests/helpers/api.ts";
import { createChat, withDb } from "../tests/helpers/chats.ts";
import { env } from "../tests/helpers/env.ts";
import { formatMs, percentile } from "./support/chat-stream-tools.ts";

const rounds = Number(Deno.args[0] ?? 200);
const MESSAGES = 1000;
const poolerUrl = Deno.env.get("DB_POOLER_URL") ?? env.dbUrl;
const db = createDatabase(poolerUrl, { max: 1, transactionPooler: poolerUrl !== env.dbUrl });

/** A chat of `MESSAGES` alternating user/assistant messages; with `branches`, every second answer has a sibling. */
async function seedChat(user: TestUser, branches: boolean): Promise<string> {
  const chat = await createChat(user, { title: branches ? "branched" : "line" });
  await withDb(async (sql) => {
    for (let i = 0; i < MESSAGES; i++) {
      const role = i % 2 === 0 ? "user" : "assistant";
      const [row] = await sql<{ id: string; parent_id: string | null }[]>`
        insert into public.messages (chat_id, role, content) values (${chat.id}, ${role}, ${
        `message ${i} `.repeat(20)
      })
        returning id, parent_id`;
      if (branches && role === "assistant" && i % 4 === 1) {
        // A regenerated answer beside it, then back to the first one (as the app's "‹ 1/2 ›" would).
        await sql`insert into public.messages (chat_id, parent_id, role, content)
                  values (${chat.id}, ${row.parent_id}, 'assistant', 'another answer')`;
        await sql`update public.chats set active_leaf_id = ${row.id} where id = ${chat.id}`;
      }
    }
    // As on a running project, where autovacuum keeps the statistics current.
    await sql`analyze public.messages`;
  });
  return chat.id;
}

const flat = (tx: Tx, chatId: string) =>
  tx`select id, chat_id, role, content, metadata, created_at from public.messages
     where chat_id = ${chatId} order by created_at, id`;

type Reading = (tx: Tx, userId: string, chatId: string) => Promise<unknown>;

const READINGS: Record<string, Reading> = {
  "flat (before trees)": (tx, _userId, chatId) => flat(tx, chatId),
  "path (active branch)": (tx, userId, chatId) => pathMessages(tx, userId, chatId),
  "all branches": (tx, userId, chatId) => allMessages(tx, userId, chatId),
};

async function timeIt(work: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

function row(name: string, samples: number[], baseline?: number) {
  const sorted = [...samples].sort((a, b) => a - b);
  const p50 = percentile(sorted, 50);
  const ratio = baseline ? ` | ${(p50 / baseline).toFixed(2)}×` : " | 1.00×";
  return `| ${name} | ${formatMs(p50)} | ${formatMs(percentile(sorted, 99))}${ratio} |`;
}

const user = await signUpUser("Tree bench");
const claims = { sub: user.id, role: "authenticated", aud: "authenticated" };
const load = (await Deno.readTextFile("/proc/loadavg")).split(" ").slice(0, 3).join(" ");
console.log(`${MESSAGES}-message chats, ${rounds} interleaved rounds, load average ${load}\n`);

for (const branches of [false, true]) {
  const chatId = await seedChat(user, branches);
  const samples: Record<string, number[]> = Object.fromEntries(Object.keys(READINGS).map((k) => [k, []]));
  const http: Record<string, number[]> = { "GET /v1/chats/{id}": [], "GET ...?branches=all": [] };
  for (let round = 0; round < rounds + 10; round++) {
    for (const [name, reading] of Object.entries(READINGS)) {
      const ms = await timeIt(() => asUser(claims, (tx) => reading(tx, user.id, chatId), db));
      if (round >= 10) samples[name].push(ms);
    }
    for (const [name, query] of [["GET /v1/chats/{id}", ""], ["GET ...?branches=all", "?branches=all"]]) {
      const ms = await timeIt(() => call(`/v1/chats/${chatId}${query}`, { token: user.token }));
      if (round >= 10) http[name].push(ms);
    }
  }
  const path = await asUser(claims, (tx) => pathMessages(tx, user.id, chatId), db);
  console.log(
    `${
      branches ? "every second answer regenerated once" : "a single line"
    }: ${path.items.length} on the path`,
  );
  console.log("| read | p50 | p99 | p50 / flat |\n| --- | ---: | ---: | ---: |");
  const base = percentile([...samples["flat (before trees)"]].sort((a, b) => a - b), 50);
  for (const [name, values] of Object.entries(samples)) console.log(row(name, values, base));
  const httpBase = percentile([...http["GET ...?branches=all"]].sort((a, b) => a - b), 50);
  for (const [name, values] of Object.entries(http)) console.log(row(name, values, httpBase));
  console.log("");
}
await db.end();
