/**
 * What the drain expects of a job type's handler, and the errors a handler throws to say how its
 * job failed.
 * @module
 */
import type { Sql } from "../db/client.ts";
import { ProviderError } from "../llm/errors.ts";
import type { ClaimedJob, Failure } from "./queue.ts";

export interface JobContext {
  /** Aborted when the job's time is up (its own timeout, or the worker's budget). */
  signal: AbortSignal;
  /** For lease renewals. */
  leaseSeconds: number;
  db: Sql;
}

/** A finished run: the job's output, and the files it wrote (removed again if the job is not ours). */
export interface JobOutcome {
  output: Record<string, unknown>;
  files: string[];
}

export type JobHandler = (job: ClaimedJob, context: JobContext) => Promise<JobOutcome>;

/** A failure that another attempt cannot fix (bad input, provider gone, unknown job type). */
export class PermanentJobError extends Error {
  override name = "PermanentJobError";
}

/** The job was cancelled or taken over while running: stop, write nothing. */
export class LeaseLost extends Error {
  override name = "LeaseLost";
  constructor() {
    super("The job's lease was revoked (cancelled, or taken over by another run).");
  }
}

/** Whether the failure was expected (its message is meant for the user) or a bug to log. */
export function isExpectedFailure(error: unknown): boolean {
  return error instanceof PermanentJobError || error instanceof ProviderError;
}

/**
 * How a failed run is recorded, given what the handler threw: a provider failure as it reads
 * ("openai answered 429: ..."), failed now when it is permanent, else retried no sooner than the
 * provider asked. Unexpected errors stay in the log.
 */
export function failureOf(error: unknown): Failure {
  if (error instanceof PermanentJobError) return { message: error.message, permanent: true };
  if (error instanceof ProviderError) {
    return { message: error.message, permanent: error.permanent, retryAfterSeconds: error.retryAfter };
  }
  return { message: "The worker hit an unexpected error; the job will be tried again.", permanent: false };
}
