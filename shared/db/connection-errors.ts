/**
 * Telling "the database is unreachable" apart from other failures, so that an outage (Postgres
 * restarting, a failover, the pooler dropping connections) is answered 503 and not 500, and
 * containing a postgres.js bug that otherwise ends the isolate when a connection dies mid-write.
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

let guarded = false;

/** Keeps the isolate alive through {@link isDeadSocketWrite}; every other uncaught error still ends it. */
export function guardDeadSocketWrites(): void {
  if (guarded || typeof globalThis.addEventListener !== "function") return;
  guarded = true;
  globalThis.addEventListener("error", (event) => {
    if (!isDeadSocketWrite(event.error)) return;
    event.preventDefault();
    console.error(JSON.stringify({ level: "warn", msg: "database connection closed during a write" }));
  });
}
