/**
 * The worker's settings (supabase/functions/.env locally, `supabase secrets set` when deployed),
 * validated with zod once per isolate; a malformed value fails with its name.
 *
 * One invocation must end inside the edge runtime's wall clock (PLATFORM.md §8): 150 s on the free
 * plan, 400 s on paid plans, counted from the wake-up (the storage sweep, the drain, its last queue
 * writes). The default budget, 100 s, ends well inside the free plan's; the largest accepted, 390 s,
 * fits a paid plan's only, so a budget above 140 s belongs to a paid plan (README "Platform limits").
 * CPU time adds up over the jobs of an invocation (~20 ms per MB of image, bench/function-cpu.ts)
 * against 2 s per request: one invocation claims at most `WORKER_MAX_JOBS` (default 16).
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
  /**
   * The most jobs one invocation claims (none: no cap). Its CPU time adds up over its jobs and the
   * runtime allows 2 s per request; past the cap a fresh invocation takes over.
   */
  maxJobs?: number;
}

/** The edge runtime's wall clock for one invocation, by plan (PLATFORM.md §8). */
export const WALL_CLOCK_MS = { free: 150_000, paid: 400_000 } as const;
/** Kept free of the budget for what the invocation does around the drain (sweep, last writes). */
export const WALL_CLOCK_MARGIN_MS = 10_000;
/** The default budget: inside the free plan's wall clock with 50 s to spare. */
export const DEFAULT_BUDGET_MS = 100_000;
/** Jobs one invocation claims at most by default: ~1 s of CPU with one 3 MB image each. */
export const DEFAULT_MAX_JOBS = 16;
/** The largest budget accepted: a paid plan's wall clock less the margin (free plan: see above). */
export const MAX_BUDGET_MS = WALL_CLOCK_MS.paid - WALL_CLOCK_MARGIN_MS;

const count = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const TOO_LONG = `must be at most ${MAX_BUDGET_MS} ms: a paid plan's wall clock is ${
  WALL_CLOCK_MS.paid / 1000
} s, the free plan's ${WALL_CLOCK_MS.free / 1000} s`;
const withinWallClock = (min: number) => z.coerce.number().int().min(min).max(MAX_BUDGET_MS, TOO_LONG);

const WorkerEnv = z.object({
  WORKER_BUDGET_MS: withinWallClock(1_000).default(DEFAULT_BUDGET_MS),
  WORKER_CONCURRENCY: count(1, 64).default(8),
  WORKER_LEASE_SECONDS: count(1, 3_600).optional(),
  WORKER_IMAGE_TIMEOUT_MS: withinWallClock(1_000).default(90_000),
  WORKER_MIN_JOB_MS: withinWallClock(0).optional(),
  WORKER_MAX_JOBS: count(1, 10_000).default(DEFAULT_MAX_JOBS),
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
    maxJobs: e.WORKER_MAX_JOBS,
  };
}

let cached: WorkerConfig | undefined;

/** The isolate's worker settings, read from Deno.env on first use. */
export function workerConfig(): WorkerConfig {
  cached ??= parseWorkerConfig(Deno.env.toObject());
  return cached;
}
