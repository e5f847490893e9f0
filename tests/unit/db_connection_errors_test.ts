/**
 * Database outages are told apart from other failures (503, not 500), and only postgres.js's
 * write-on-a-closed-socket throw is kept from ending the isolate (found by proof/faults.ts).
 */
import assert from "node:assert/strict";
import postgres from "postgres";
import { isConnectionError, isDeadSocketWrite } from "../../shared/db/connection-errors.ts";

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
