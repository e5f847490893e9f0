/**
 * Telling "the database is unreachable" apart from other failures, so that an outage (Postgres
 * restarting, a failover, the pooler dropping connections) is answered 503 and not 500, and
 * containing two postgres.js bugs that otherwise end the isolate: a connection that dies mid-write,
 * and a new connection whose pooler finds the database down.
 * @module
 */
import postgres from "postgres";

/** postgres.js's own codes for a connection that failed or went away. */
const CLIENT_CODES = new Set([
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "CONNECT_TIMEOUT",
]);

/** Socket errors from connecting (Postgres down, or not listening yet). */
const SOCKET_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "ENOTFOUND",
  "EHOSTUNREACH",
]);

/** SQLSTATE classes 08 (connection exception) and 57P0x (shutdown, crash, cannot connect now). */
const SERVER_STATES = /^(08|57P0[1-3])/;

/** True when `error` means the database could not be reached or dropped the connection. */
export function isConnectionError(error: unknown): boolean {
  if (error instanceof postgres.PostgresError) return SERVER_STATES.test(error.code);
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (CLIENT_CODES.has(code) || SOCKET_CODES.has(code))) return true;
  return error.name === "ConnectionRefused" || error.name === "ConnectionReset";
}

/**
 * postgres.js 3.4.9 queues small writes with setImmediate; when the server closes the connection
 * first, the queued write runs on a nulled socket and throws outside any promise, which ends the
 * process (porsager/postgres#1154, #1208; denoland/deno#34667). The query it belonged to has
 * already been rejected with CONNECTION_CLOSED, so the throw carries nothing to report.
 */
export function isDeadSocketWrite(error: unknown): boolean {
  return error instanceof TypeError &&
    error.message === "Cannot read properties of null (reading 'write')" &&
    /nextWrite/.test(error.stack ?? "") && /postgres/.test(error.stack ?? "");
}

/**
 * The same queued write running after its data already went out: postgres.js writes at once when a
 * statement of 1 KB or more follows small ones in the same tick, clears the queued write and empties
 * its buffer — and on Deno the cleared timer can still fire (the same Deno issue), writing the emptied
 * buffer: "May not write null values to stream". The data was sent; nothing is lost. Seen once the
 * pooled statements went out without describing first (./bind-without-describe.ts), which pipelines
 * more of them into one tick.
 */
export function isEmptiedBufferWrite(error: unknown): boolean {
  return error instanceof TypeError && error.message === "May not write null values to stream" &&
    /nextWrite/.test(error.stack ?? "") && /postgres/.test(error.stack ?? "");
}

/**
 * postgres.js 3.4.9 reads the array types on each new connection with a query of its own that nothing
 * awaits (src/connection.js, fetchArrayTypes). Behind a pooler the connection is made to the pooler,
 * and that first query is what finds the database down (PgBouncer: "server login has been failing",
 * 08P01; found by proof/faults.ts): its rejection would end the isolate. The query the connection was
 * opened for fails with the same error and is answered 503, so the rejection carries nothing to report.
 */
export function isUnawaitedTypeFetch(reason: unknown): boolean {
  const query = (reason as { query?: unknown } | null)?.query;
  return reason instanceof Error && typeof query === "string" && /from pg_catalog\.pg_type a\b/.test(query) &&
    /typcategory = 'A'/.test(query);
}

let guarded = false;

/**
 * Keeps the isolate alive through {@link isDeadSocketWrite}, {@link isEmptiedBufferWrite} and
 * {@link isUnawaitedTypeFetch}; every
 * other uncaught error or unhandled rejection still ends it.
 */
export function guardPostgresJsFailures(): void {
  if (guarded || typeof globalThis.addEventListener !== "function") return;
  guarded = true;
  globalThis.addEventListener("error", (event) => {
    if (isEmptiedBufferWrite(event.error)) {
      event.preventDefault();
      return console.error(JSON.stringify({ level: "warn", msg: "database write queue ran empty" }));
    }
    if (!isDeadSocketWrite(event.error)) return;
    event.preventDefault();
    console.error(JSON.stringify({ level: "warn", msg: "database connection closed during a write" }));
  });
  globalThis.addEventListener("unhandledrejection", (event) => {
    if (!isUnawaitedTypeFetch(event.reason)) return;
    event.preventDefault();
    const error = event.reason as { code?: string; message?: string };
    console.error(JSON.stringify({
      level: "warn",
      msg: "database unreachable on a new connection",
      code: error.code,
      error: error.message,
    }));
  });
}
