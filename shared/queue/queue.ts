/**
 * The queue as the worker drives it: the `private` queue functions of the jobs migrations. Every state
 * change after a claim is fenced by the claim's lease token, so a job that was cancelled, or
 * reclaimed after its lease ran out, can no longer be completed by this claim.
 *
 * Each call is one autocommit statement on a connection of the isolate's pool. The functions are
 * security definer and owned by the role the worker connects as (`postgres`, which also runs the
 * migrations), so switching to service_role first — a transaction and two more round trips per
 * call — would change nothing inside them; round trips are what limits the queue's throughput.
 * @module
 */
import { autocommit, type Database, database } from "../db/client.ts";

/** A job this worker holds: the row as claimed, with its lease token. */
export interface ClaimedJob {
  id: string;
  user_id: string;
  job_type: string;
  input_data: Record<string, unknown>;
  attempts: number;
  max_attempts: number;
  lease_token: string;
}

/** What became of a failed attempt: retried later, failed for good, or not ours any more (null). */
export type FailOutcome = "pending" | "failed" | null;

/** Claims up to `limit` due jobs (and jobs whose lease expired) for `leaseSeconds`. */
function claimJobs(limit: number, leaseSeconds: number, db: Database = database()): Promise<ClaimedJob[]> {
  return autocommit((connection) =>
    connection<ClaimedJob[]>`
    select id, user_id, job_type, input_data, attempts, max_attempts, lease_token
    from private.claim_jobs(${limit}, ${leaseSeconds})`, db);
}

/** A finished run to record. */
export interface Completion {
  job: ClaimedJob;
  output: Record<string, unknown>;
}

/** Completes the jobs with their outputs; says per job id whether it was still this claim's. */
async function completeJobs(
  completions: Completion[],
  db: Database = database(),
): Promise<Map<string, boolean>> {
  const results = completions.map(({ job, output }) => ({
    id: job.id,
    lease_token: job.lease_token,
    output,
  }));
  const rows = await autocommit((connection) =>
    connection<{ job_id: string; completed: boolean }[]>`
    select job_id, completed from private.complete_jobs(${connection.json(results as never)})`, db);
  return new Map(rows.map((row) => [row.job_id, row.completed]));
}

/**
 * Writes the finished jobs and claims up to `limit` more in one statement: one round trip and one
 * commit per burst of short jobs instead of two (the two parts touch disjoint rows).
 */
export async function completeAndClaim(
  completions: Completion[],
  limit: number,
  leaseSeconds: number,
  db: Database = database(),
): Promise<{ completed: Map<string, boolean>; claimed: ClaimedJob[] }> {
  if (limit < 1) return { completed: await completeJobs(completions, db), claimed: [] };
  if (completions.length === 0) {
    return { completed: new Map(), claimed: await claimJobs(limit, leaseSeconds, db) };
  }
  const results = completions.map(({ job, output }) => ({
    id: job.id,
    lease_token: job.lease_token,
    output,
  }));
  const rows = await autocommit(
    (connection) =>
      connection<{ id: string; completed: boolean | null; job: ClaimedJob | null }[]>`
    select c.job_id as id, c.completed, null::jsonb as job
    from private.complete_jobs(${connection.json(results as never)}) c
    union all
    select j.id, null, jsonb_build_object(
             'id', j.id, 'user_id', j.user_id, 'job_type', j.job_type, 'input_data', j.input_data,
             'attempts', j.attempts, 'max_attempts', j.max_attempts, 'lease_token', j.lease_token)
    from private.claim_jobs(${limit}, ${leaseSeconds}) j`,
    db,
  );
  return {
    completed: new Map(rows.flatMap((row) => row.job ? [] : [[row.id, row.completed === true] as const])),
    claimed: rows.flatMap((row) => row.job ? [row.job] : []),
  };
}

export interface Failure {
  message: string;
  /** Never worth another attempt (bad key, refused prompt ...). */
  permanent: boolean;
  /** The provider asked to wait at least this long. */
  retryAfterSeconds?: number | null;
}

/** Records a failed attempt: back to pending with backoff while attempts remain, else failed. */
export async function failJob(
  job: ClaimedJob,
  failure: Failure,
  db: Database = database(),
): Promise<FailOutcome> {
  const retryAfter = Math.max(0, Math.ceil(failure.retryAfterSeconds ?? 0));
  const [row] = await autocommit((connection) =>
    connection<{ outcome: FailOutcome }[]>`
    select private.fail_job(${job.id}, ${job.lease_token}, ${failure.message}, ${failure.permanent},
                            ${retryAfter}::integer) as outcome`, db);
  return row.outcome;
}

/** Renews the lease; false when the job was cancelled or taken over (stop working on it). */
export async function renewLease(
  job: ClaimedJob,
  leaseSeconds: number,
  db: Database = database(),
): Promise<boolean> {
  const [row] = await autocommit((connection) =>
    connection<{ held: boolean }[]>`
    select private.extend_job_lease(${job.id}, ${job.lease_token}, ${leaseSeconds}) as held`, db);
  return row.held;
}

/** Asks pg_net to call the worker again (a drain that ran out of budget with work left). */
export async function wakeWorker(reason: string, db: Database = database()): Promise<void> {
  await autocommit((connection) => connection`select private.wake_worker(${reason})`, db);
}
