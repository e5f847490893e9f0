/**
 * Transactions get connections from shared/db/pool.ts, not postgres.js's `reserve()`, which drops a
 * reservation queued while a connection closes (porsager/postgres#1195); and a transaction whose
 * connection was lost cannot send statements to the reconnect, outside the transaction.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { asService, autocommit, createDatabase } from "../../shared/db/client.ts";
import { isConnectionError } from "../../shared/db/connection-errors.ts";
import { db as adminDb, env } from "../helpers/env.ts";

const IDLE_MS = 100;
const options = { max: 1, idle_timeout: IDLE_MS / 1000, onnotice: () => {} };
const within = <T>(ms: number, promise: Promise<T>) =>
  Promise.race([promise, new Promise<"timed out">((resolve) => setTimeout(() => resolve("timed out"), ms))]);

/** Transactions begun as the pool's one idle connection times out, at steps of 0.25 ms: how many never start (0 or 1). */
async function stranded(begin: () => Promise<unknown>, warm: () => Promise<unknown>): Promise<number> {
  for (let step = -20; step < 40; step++) {
    await warm();
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS + step * 0.25));
    // A lost one never starts (the bound is generous); postgres.js also loses that connection: stop at the first.
    if (await within(3_000, begin()) === "timed out") return 1;
  }
  return 0;
}

Deno.test("a transaction begun while the idle connection closes still runs", async () => {
  const plain = postgres(env.dbUrl, options);
  const ours = createDatabase(env.dbUrl, options);
  const oneStatement = (tx: postgres.Sql) => tx`select 1`;
  try {
    // The control: postgres.js's own reserve() loses reservations in this race, so the race is hit.
    const reserve = () => plain.reserve().then((tx) => tx.release());
    assert.ok(await stranded(reserve, () => plain`select 1`) > 0, "the race was not hit");
    assert.equal(await stranded(() => asService(oneStatement, ours), () => asService(oneStatement, ours)), 0);
  } finally {
    await Promise.all([plain.end({ timeout: 1 }), ours.end({ timeout: 1 })]);
  }
});

Deno.test("statements after the connection was lost fail instead of running outside the transaction", async () => {
  const ours = createDatabase(env.dbUrl, { max: 1 });
  const admin = adminDb();
  try {
    const outcome = await asService(async (tx) => {
      const [{ pid }] = await tx<{ pid: number }[]>`select pg_backend_pid() as pid`;
      await admin`select pg_terminate_backend(${pid})`;
      await new Promise((resolve) => setTimeout(resolve, 200)); // the close reaches the client
      // On the reconnect this would run as the login role, outside the transaction.
      return await tx`select current_user`.then(() => "ran", (error) => error);
    }, ours).catch((error) => error);
    assert.ok(isConnectionError(outcome), `expected a connection error, got ${String(outcome)}`);
    // a new connection serves the next transaction.
    assert.deepEqual([...await asService((tx) => tx`select 1 as one`, ours)], [{ one: 1 }]);
  } finally {
    await Promise.all([ours.end({ timeout: 1 }), admin.end()]);
  }
});

Deno.test("transactions and statements on their own share one bound: max connections in all", async () => {
  const max = 3;
  const ours = createDatabase(env.dbUrl, { max });
  const pid = (connection: postgres.Sql) =>
    connection<{ pid: number }[]>`select pg_backend_pid() as pid, pg_sleep(0.02)`;
  try {
    const rows = await Promise.all(
      Array.from({ length: 40 }, (_, i) => i % 2 === 0 ? asService(pid, ours) : autocommit(pid, ours)),
    );
    const pids = rows.map(([row]) => row.pid);
    assert.ok(new Set(pids).size <= max, `${new Set(pids).size} connections for a bound of ${max}`);
  } finally {
    await ours.end({ timeout: 1 });
  }
});
