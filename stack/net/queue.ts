/**
 * The SQL side of the pg_net stand-in: who may dispatch, which queued requests to send next, and
 * recording outcomes (the queue row goes in the same transaction as its response, so a request is
 * never lost; see dispatcher.ts for the delivery guarantee).
 * @module
 */
import type postgres from "postgres";
import type { QueuedRequest, RequestOutcome } from "./http.ts";

type Sql = postgres.Sql;

/** Arbitrary but fixed: the advisory lock only one dispatcher per database may hold. */
const DISPATCHER_LOCK = 7_263_531_006;

/** pg_net.ttl's default. */
const RESPONSE_TTL = "6 hours";

/**
 * Takes the dispatcher lock on a connection reserved for the dispatcher's lifetime. The lock makes
 * the dispatcher's in-memory list of in-flight requests authoritative: no one else sends from the queue.
 */
export async function tryLockDispatcher(sql: postgres.ReservedSql): Promise<boolean> {
  const [{ locked }] = await sql`select pg_try_advisory_lock(${DISPATCHER_LOCK}) as locked`;
  return locked;
}

/** The oldest queued requests that are not already being sent. */
export async function nextRequests(
  sql: Sql,
  inFlight: Iterable<string>,
  limit: number,
): Promise<QueuedRequest[]> {
  const exclude = [...inFlight];
  return await sql<QueuedRequest[]>`
    select id::text, method::text, url, headers, body, timeout_milliseconds
    from net.http_request_queue
    where not (id = any(${exclude}::bigint[]))
    order by id
    limit ${limit}`;
}

/** Inserts the responses and removes their requests from the queue, atomically. */
export async function recordOutcomes(sql: Sql, outcomes: RequestOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const ids = outcomes.map((outcome) => outcome.id);
  await sql.begin(async (tx) => {
    await tx`
      insert into net._http_response (id, status_code, content_type, headers, content, timed_out, error_msg)
      select id, status_code, content_type, headers, content, timed_out, error_msg
      from jsonb_to_recordset(${tx.json(outcomes as unknown as postgres.JSONValue)}) as r(
        id bigint, status_code int, content_type text, headers jsonb, content text, timed_out boolean,
        error_msg text)`;
    await tx`delete from net.http_request_queue where id = any(${ids}::bigint[])`;
  });
}

/** Deletes responses older than pg_net.ttl. */
export async function deleteExpiredResponses(sql: Sql): Promise<void> {
  await sql`delete from net._http_response where created < now() - ${RESPONSE_TTL}::interval`;
}
