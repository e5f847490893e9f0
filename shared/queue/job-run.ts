/**
 * One job's run inside a drain: its handler under a deadline, then its result handed to the drain's
 * next write, or its failure recorded (back to the queue with backoff, or failed for good). A run
 * whose lease was revoked (cancelled, or taken over) writes nothing and removes the files it made.
 * @module
 */
import type { Database } from "../db/client.ts";
import { failureOf, JobFailure, type JobHandler, LeaseLost } from "./handler.ts";
import { type ClaimedJob, failJob } from "./queue.ts";

export type Outcome = "completed" | "failed" | "retried" | "lost" | "unrecorded";

/** What a run needs from the drain it belongs to. */
export interface RunContext {
  handlers: Record<string, JobHandler>;
  db: Database;
  leaseSeconds: number;
  /** Aborted when the run's time is up (its timeout, or the drain's budget). */
  signal: AbortSignal;
  /** Called once the handler is done (its slot is free), whatever the result. */
  release(): void;
  /** Hands the output to the drain's next write; resolves to whether the job was still ours. */
  complete(job: ClaimedJob, output: Record<string, unknown>): Promise<boolean>;
  /** Removes the files of a result that was refused. */
  discard(paths: string[]): Promise<unknown>;
}

function logError(msg: string, job: ClaimedJob, error: unknown) {
  console.error(JSON.stringify({ level: "error", msg, job_id: job.id, error: String(error) }));
}

async function recordFailure(job: ClaimedJob, error: unknown, db: Database): Promise<Outcome> {
  if (!(error instanceof JobFailure)) logError("job crashed", job, error);
  const outcome = await failJob(job, failureOf(error), db);
  return outcome === "pending" ? "retried" : outcome === "failed" ? "failed" : "lost";
}

async function attempt(job: ClaimedJob, context: RunContext): Promise<Outcome> {
  let result;
  try {
    const handler = context.handlers[job.job_type];
    if (!handler) {
      throw new JobFailure(`This worker cannot run jobs of type "${job.job_type}".`, { permanent: true });
    }
    result = await handler(job, {
      signal: context.signal,
      leaseSeconds: context.leaseSeconds,
      db: context.db,
    });
  } catch (error) {
    context.release();
    return error instanceof LeaseLost ? "lost" : await recordFailure(job, error, context.db);
  }
  context.release();
  if (await context.complete(job, result.output)) return "completed";
  // Not ours any more; if the files cannot go now, they go with the job (the sweep takes them).
  await context.discard(result.files).catch((error) => logError("could not discard files", job, error));
  return "lost";
}

/** Runs the job to its outcome; a bookkeeping failure leaves it to its lease ("unrecorded"). */
export async function runJob(job: ClaimedJob, context: RunContext): Promise<Outcome> {
  const started = performance.now();
  let outcome: Outcome;
  try {
    outcome = await attempt(job, context);
  } catch (error) {
    // The database failed us: the lease runs out and the job is claimed again later.
    logError("job bookkeeping failed", job, error);
    outcome = "unrecorded";
  }
  console.log(JSON.stringify({
    level: "info",
    msg: "job",
    job_id: job.id,
    job_type: job.job_type,
    attempt: job.attempts,
    outcome,
    duration_ms: Math.round(performance.now() - started),
  }));
  return outcome;
}
