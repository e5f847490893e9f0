/**
 * What the drain expects of a job type's handler, and the errors a handler throws to say how its
 * job failed. The engine knows no job type: the worker's entry (shared/worker.ts) registers them.
 * @module
 */
import type { Database } from "../db/client.ts";
import type { ClaimedJob, Failure } from "./queue.ts";

export interface JobContext {
  /** Aborted when the job's time is up (its own timeout, or the worker's budget). */
  signal: AbortSignal;
  /** For lease renewals. */
  leaseSeconds: number;
  db: Database;
}

/** A finished run: the job's output, and the files it wrote (removed again if the job is not ours). */
export interface JobOutcome {
  output: Record<string, unknown>;
  files: string[];
}

export type JobHandler = (job: ClaimedJob, context: JobContext) => Promise<JobOutcome>;

/**
 * An expected failure, its message meant for the job's owner: `permanent` when another attempt
 * cannot fix it (bad input, provider gone, unknown job type), else retried with backoff (or after
 * `retryAfterSeconds`, when whoever failed said how long to wait).
 */
export class JobFailure extends Error {
  override name = "JobFailure";
  readonly permanent: boolean;
  readonly retryAfterSeconds: number | null;

  constructor(message: string, options: { permanent: boolean; retryAfterSeconds?: number | null }) {
    super(message);
    this.permanent = options.permanent;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

/** The job was cancelled or taken over while running: stop, write nothing. */
export class LeaseLost extends Error {
  override name = "LeaseLost";
  constructor() {
    super("The job's lease was revoked (cancelled, or taken over by another run).");
  }
}

/** How a failed run is recorded, given what the handler threw. Unexpected errors stay in the log. */
export function failureOf(error: unknown): Failure {
  if (error instanceof JobFailure) {
    return { message: error.message, permanent: error.permanent, retryAfterSeconds: error.retryAfterSeconds };
  }
  return { message: "The worker hit an unexpected error; the job will be tried again.", permanent: false };
}
