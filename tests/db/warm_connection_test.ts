/**
 * A connection warmed at boot (shared/db/pool.ts `warm`, `warmDatabase` in the api function's entry)
 * serves the first transaction, whether it is made yet or not, instead of a second one being opened;
 * one that cannot be made leaves the first transaction to open its own and meet the error.
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { isConnectionError } from "../../shared/db/connection-errors.ts";
import { ConnectionPool } from "../../shared/db/pool.ts";
import { env } from "../helpers/env.ts";

/** A pool of real connections to `url` that counts the connections it makes. */
function countingPool(url: string) {
  const made: postgres.Sql[] = [];
  const pool = new ConnectionPool((onclose) => {
    const connection = postgres(url, { max: 1, onnotice: () => {}, onclose, connect_timeout: 2 });
    made.push(connection);
    return connection;
  }, { size: 4, idleMs: 10_000 });
  return { pool, made };
}

Deno.test("the first transaction takes the connection being warmed instead of opening another", async () => {
  const { pool, made } = countingPool(env.dbUrl);
  try {
    pool.warm();
    const connection = await pool.acquire(5_000); // at once: the warm connection is still being made
    assert.deepEqual([...await connection`select 1 as one`], [{ one: 1 }]);
    pool.release(connection);
    assert.equal(made.length, 1);
  } finally {
    await pool.end({ timeout: 1 });
  }
});

Deno.test("a connection warmed before any request waits idle for the first one", async () => {
  const { pool, made } = countingPool(env.dbUrl);
  try {
    pool.warm();
    await new Promise((resolve) => setTimeout(resolve, 500));
    pool.warm(); // a connection is open: nothing more
    const connection = await pool.acquire(5_000);
    pool.release(connection);
    assert.equal(made.length, 1);
  } finally {
    await pool.end({ timeout: 1 });
  }
});

Deno.test("a warm-up that fails leaves the first transaction to open its own and meet the error", async () => {
  const unreachable = new URL(env.dbUrl);
  unreachable.port = "1"; // nothing listens there
  const { pool, made } = countingPool(unreachable.href);
  try {
    pool.warm();
    const outcome = await pool.acquire(5_000).then(() => "connected", (error) => error);
    assert.ok(isConnectionError(outcome), `expected a connection error, got ${String(outcome)}`);
    assert.equal(made.length, 2, "the warm-up's connection, then the transaction's own");
  } finally {
    await pool.end({ timeout: 1 });
  }
});
