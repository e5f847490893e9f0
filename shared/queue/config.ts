/**
 * The worker's settings (supabase/functions/.env locally, `supabase secrets set` when deployed),
 * validated with zod once per isolate. The defaults keep one invocation well inside the edge
 * runtime's 150 s wall clock; a malformed value fails with its name.
 * @module
 */
import { z } from "zod";

/** How one worker invocation drains the queue. */
export interface WorkerConfig {
  /** How long one invocation may spend draining; it stops claiming before this runs out. */
  budgetMs: number;
  /** Jobs run at the same time (and claimed at a time). */
  concurrency: number;
  /** How long a claim holds a job: longer than any run, so only a dead worker's jobs come back. */
  leaseSeconds: number;
  /** How long one job may run (the budget may cut it shorter). */
  jobTimeoutMs: number;
  /** No new job is claimed when less than this is left of the budget. */
  minJobMs: number;
}

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

const WorkerEnv = z.object({
  WORKER_BUDGET_MS: count(1_000, 390_000).default(100_000),
  WORKER_CONCURRENCY: count(1, 64).default(8),
  WORKER_LEASE_SECONDS: count(1, 3_600).optional(),
  WORKER_IMAGE_TIMEOUT_MS: count(1_000, 390_000).default(90_000),
  WORKER_MIN_JOB_MS: count(0, 390_000).optional(),
});

/** Validates an environment (tests pass their own). */
export function parseWorkerConfig(env: Record<string, string | undefined>): WorkerConfig {
  const set = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ""),
  );
  const result = WorkerEnv.safeParse(set);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `${String(issue.path[0])} ${issue.message}`);
    throw new Error(`Invalid worker configuration: ${problems.join("; ")}.`);
  }
  const e = result.data;
  return {
    budgetMs: e.WORKER_BUDGET_MS,
    concurrency: e.WORKER_CONCURRENCY,
    // The lease outlives the whole invocation, uploads included.
    leaseSeconds: e.WORKER_LEASE_SECONDS ?? Math.ceil(e.WORKER_BUDGET_MS / 1000) + 60,
    // The variable keeps its first name: image generation was the first kind of job.
    jobTimeoutMs: e.WORKER_IMAGE_TIMEOUT_MS,
    // Capped at a third of the budget, so an invocation always has time to claim.
    minJobMs: Math.min(e.WORKER_MIN_JOB_MS ?? 30_000, Math.floor(e.WORKER_BUDGET_MS / 3)),
  };
}

let cached: WorkerConfig | undefined;

/** The isolate's worker settings, read from Deno.env on first use. */
export function workerConfig(): WorkerConfig {
  cached ??= parseWorkerConfig(Deno.env.toObject());
  return cached;
}
