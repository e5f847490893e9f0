/**
 * Round trips of the api's database work, direct (prepared statements on) and through the local
 * transaction pooler (DB_POOLER_URL, prepared statements off): a one-statement read as
 * `userReader` makes it and a two-query `asUser` transaction, each counted as the client's writes
 * (flights of messages) seen by a relay in front of the database. Counted on the third run, once
 * the statements are prepared where they can be.
 *
 * Usage (a running local stack, SUPABASE_* and DB_POOLER_URL set):
 *   deno run -A bench/pooler-round-trips.ts
 * @module
 */
import postgres from "postgres";
import { asUser, createDatabase, userReader } from "../shared/db/client.ts";
import { env } from "../tests/helpers/env.ts";
import { countingRelay, throughRelay } from "../tests/helpers/counting_relay.ts";

async function measure(name: string, url: string, transactionPooler: boolean) {
  const relay = countingRelay(new URL(url));
  const database = createDatabase(throughRelay(url, relay), { max: 1, transactionPooler });
  const admin = postgres(env.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const [{ id }] = await admin<{ id: string }[]>`select id from auth.users order by created_at limit 1`;
    const claims = { sub: id, role: "authenticated" };
    const read = () =>
      userReader(claims, database)((tx) => tx`select * from public.profiles where id = ${id}`);
    const transaction = () =>
      asUser(claims, async (tx) => {
        await tx`select * from public.profiles where id = ${id}`;
        await tx`select count(*)::int as n from public.chats where user_id = ${id}`;
      }, database);
    const flightsOf = async (work: () => Promise<unknown>) => {
      await work();
      await work();
      relay.flights = 0;
      await work();
      return relay.flights;
    };
    return { name, read: await flightsOf(read), transaction: await flightsOf(transaction) };
  } finally {
    await Promise.all([database.end(), admin.end()]);
    relay.close();
  }
}

if (!env.poolerUrl) throw new Error("DB_POOLER_URL is not set: run against a local stack with its pooler.");
const rows = [
  await measure("direct, prepared statements", env.dbUrl, false),
  await measure("direct, no prepared statements", env.dbUrl, true),
  await measure("through the pooler (DB_POOLER_URL)", env.poolerUrl, true),
];
console.log("| path | one-statement read | two-query transaction |\n|---|---|---|");
for (const row of rows) console.log(`| ${row.name} | ${row.read} | ${row.transaction} |`);
