/**
 * The queue as the worker drives it: the `private` queue functions of the jobs migration, called as
 * service_role. Every state change after a claim is fenced by the claim's lease token, so a job that
 * was cancelled, or reclaimed after its lease ran out, can no longer be completed by this claim.
 * @module
 */
import { asService, type Sql, sql } from "../db/client.ts";

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
export function claimJobs(limit: number, leaseSeconds: number, db: Sql = sql()): Promise<ClaimedJob[]> {
  return asService((tx) =>
    tx<ClaimedJob[]>`
      select id, user_id, job_type, input_data, attempts, max_attempts, lease_token
      from private.claim_jobs(${limit}, ${leaseSeconds})`, db);
}

/** Completes the job with its output; false when the lease is no longer this claim's. */
export async function completeJob(job: ClaimedJob, output: unknown, db: Sql = sql()): Promise<boolean> {
  const [row] = await asService(
    (tx) =>
      tx<{ completed: boolean }[]>`
      select private.complete_job(${job.id}, ${job.lease_token}, ${tx.json(output as never)}) as completed`,
    db,
  );
  return row.completed;
}

export interface Failure {
  message: string;
  /** Never worth another attempt (bad key, refused prompt ...). */
  permanent: boolean;
  /** The provider asked to wait at least this long. */
  retryAfterSeconds?: number | null;
}

/** Records a failed attempt: back to pending with backoff while attempts remain, else failed. */
export async function failJob(job: ClaimedJob, failure: Failure, db: Sql = sql()): Promise<FailOutcome> {
  const [row] = await asService(
    (tx) =>
      tx<{ outcome: FailOutcome }[]>`
      select private.fail_job(${job.id}, ${job.lease_token}, ${failure.message}, ${failure.permanent},
                              ${Math.max(0, Math.ceil(failure.retryAfterSeconds ?? 0))}::integer) as outcome`,
    db,
  );
  return row.outcome;
}

/** Renews the lease; false when the job was cancelled or taken over (stop working on it). */
export async function renewLease(job: ClaimedJob, leaseSeconds: number, db: Sql = sql()): Promise<boolean> {
  const [row] = await asService((tx) =>
    tx<{ held: boolean }[]>`
      select private.extend_job_lease(${job.id}, ${job.lease_token}, ${leaseSeconds}) as held`, db);
  return row.held;
}

/** Asks pg_net to call the worker again (a drain that ran out of budget with work left). */
export async function wakeWorker(reason: string, db: Sql = sql()): Promise<void> {
  await asService((tx) => tx`select private.wake_worker(${reason})`, db);
}
