/**
 * Database outages are told apart from other failures (503, not 500), and only postgres.js's
 * write-on-a-closed-socket throw and its unawaited array-types query are kept from ending the
 * isolate (both found by proof/faults.ts).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { asService, createDatabase, serviceReader } from "../../shared/db/client.ts";
import {
  isConnectionError,
  isDeadSocketWrite,
  isEmptiedBufferWrite,
} from "../../shared/db/connection-errors.ts";

const withCode = (code: string) => Object.assign(new Error(`write ${code}`), { code });

Deno.test("connection failures are connection errors; query errors are not", () => {
  for (const code of ["CONNECTION_CLOSED", "CONNECT_TIMEOUT", "ECONNREFUSED", "CONNECTION_DESTROYED"]) {
    assert.equal(isConnectionError(withCode(code)), true, code);
  }
  assert.equal(isConnectionError(withCode("23505")), false);
  assert.equal(isConnectionError(new TypeError("boom")), false);
  assert.equal(isConnectionError("ECONNREFUSED"), false);
});

Deno.test("a real refused connection is a connection error", async () => {
  const sql = postgres("postgres://nobody@127.0.0.1:1/none", {
    max: 1,
    connect_timeout: 2,
    onnotice: () => {},
  });
  try {
    const error = await sql`select 1`.then(() => undefined, (e) => e);
    assert.equal(isConnectionError(error), true, String(error));
  } finally {
    await sql.end({ timeout: 0 });
  }
});

Deno.test("only postgres.js's dead-socket write is recognised", () => {
  const dead = new TypeError("Cannot read properties of null (reading 'write')");
  dead.stack =
    `${dead.message}\n    at Immediate.nextWrite (file:///npm/postgres/3.4.9/src/connection.js:255:22)`;
  assert.equal(isDeadSocketWrite(dead), true);
  const other = new TypeError("Cannot read properties of null (reading 'write')");
  other.stack = `${other.message}\n    at ours (file:///shared/x.ts:1:1)`;
  assert.equal(isDeadSocketWrite(other), false);
});

Deno.test("only postgres.js's write of an emptied buffer is recognised", () => {
  const spurious = new TypeError("May not write null values to stream");
  spurious.stack = `${spurious.message}\n    at _write (ext:deno_node/_stream.mjs:3433:15)\n` +
    "    at nextWrite (file:///root/.cache/deno/npm/registry.npmjs.org/postgres/3.4.9/src/connection.js:255:22)";
  assert.equal(isEmptiedBufferWrite(spurious), true);
  const ours = new TypeError("May not write null values to stream");
  ours.stack = `${ours.message}\n    at ours (file:///shared/x.ts:1:1)`;
  assert.equal(isEmptiedBufferWrite(ours), false);
  assert.equal(isDeadSocketWrite(spurious), false);
});

/**
 * A pooler whose database is down, byte for byte as PgBouncer answers then: the login succeeds, the
 * first query gets FATAL 08P01 "server login has been failing" and the connection is closed.
 */
function poolerWithDatabaseDown(): { port: number; accepted: () => number; close(): void } {
  let accepted = 0;
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const message = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(5 + body.length);
    out[0] = type.charCodeAt(0);
    new DataView(out.buffer).setInt32(1, 4 + body.length);
    out.set(body, 5);
    return out;
  };
  const text = (...fields: string[]) =>
    new TextEncoder().encode(fields.map((field) => `${field}\0`).join(""));
  const serve = async (connection: Deno.Conn) => {
    const reader = connection.readable.getReader();
    await reader.read(); // the startup message
    await connection.write(message("R", new Uint8Array(4))); // AuthenticationOk
    await connection.write(message("Z", text("I").subarray(0, 1))); // ReadyForQuery
    await reader.read(); // the first query
    const error = text(
      "SFATAL",
      "C08P01",
      "Mserver login has been failing, try again later (server_login_retry)",
    );
    await connection.write(message("E", new Uint8Array([...error, 0])));
    connection.close();
  };
  void (async () => {
    for await (const connection of listener) {
      accepted += 1;
      serve(connection).catch(() => {});
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    accepted: () => accepted,
    close: () => listener.close(),
  };
}

Deno.test("a pooler that finds the database down fails the request's query, and the isolate lives on", async () => {
  const pooler = poolerWithDatabaseDown();
  const database = createDatabase(`postgres://postgres@127.0.0.1:${pooler.port}/postgres`, {
    max: 1,
    transactionPooler: true,
    connect_timeout: 2,
  });
  try {
    const error = await asService((tx) => tx`select 1`, database).then(() => undefined, (e) => e);
    assert.equal(error?.code, "08P01");
    assert.equal(isConnectionError(error), true, "answered 503");
    // postgres.js's own array-types query failed as well, unawaited: had it ended the isolate, the
    // test would fail with an uncaught rejection here.
    await new Promise((resolve) => setTimeout(resolve, 100));
  } finally {
    await database.end({ timeout: 0 });
    pooler.close();
  }
});

Deno.test("a connection the pooler closes while it is made is not reopened for what was sent on it", async () => {
  const pooler = poolerWithDatabaseDown();
  const database = createDatabase(`postgres://postgres@127.0.0.1:${pooler.port}/postgres`, {
    max: 1,
    transactionPooler: true,
    connect_timeout: 2,
  });
  try {
    // begin, the role, the statement and commit, sent at once (one round trip): on a connection
    // still being made, postgres.js would queue them, then reopen the connection for them.
    for (let attempt = 0; attempt < 3; attempt++) {
      const error = await serviceReader(database)((tx) => tx`select 1`).then(() => undefined, (e) => e);
      assert.equal(isConnectionError(error), true, String(error));
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
    // Each attempt: the connection, and postgres.js's own retry of the query it was opened with.
    // Before the fix, a third: the ended client reopened for the statements queued on it.
    assert.ok(pooler.accepted() <= 6, `${pooler.accepted()} connections for 3 attempts, some reopened`);
  } finally {
    await database.end({ timeout: 0 });
    pooler.close();
  }
});
