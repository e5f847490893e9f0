/**
 * One worker invocation: claim due jobs under a lease and run up to `concurrency` of them at a time
 * until the queue is empty or the time budget is nearly spent, then report what happened. Each job
 * ends completed, back in the queue with backoff, failed, or — when its lease was revoked (cancelled,
 * or taken over after the lease expired) — untouched by this run, with any files it wrote removed.
 * @module
 */
import { type Sql, sql } from "../db/client.ts";
import { failureOf, isExpectedFailure, type JobHandler, LeaseLost, PermanentJobError } from "./handler.ts";
import { runImageJob } from "./image-job.ts";
import { removeImages } from "./image-store.ts";
import { type ClaimedJob, claimJobs, completeJob, failJob, wakeWorker } from "./queue.ts";
import type { WorkerConfig } from "./config.ts";

/** What one invocation did. `lost`: jobs whose lease was revoked while they ran (nothing written). */
export interface DrainSummary {
  claimed: number;
  completed: number;
  failed: number;
  retried: number;
  lost: number;
  duration_ms: number;
}

export const JOB_HANDLERS: Record<string, JobHandler> = { image_generation: runImageJob };

export interface DrainOptions {
  config: WorkerConfig;
  handlers?: Record<string, JobHandler>;
  db?: Sql;
  /** Deletes files of a run whose result was refused (default: from the images bucket). */
  discardFiles?: (paths: string[]) => Promise<unknown>;
}

function log(fields: Record<string, unknown>) {
  console.log(JSON.stringify({ level: "info", ...fields }));
}

/** The invocation's deadline, as a signal whose reason reads well in a job's error_log. */
function budgetSignal(budgetMs: number) {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error("was still working when the worker's time budget ran out")),
    budgetMs,
  );
  return { signal: controller.signal, stop: () => clearTimeout(timer) };
}

class Drain {
  readonly summary = { claimed: 0, completed: 0, failed: 0, retried: 0, lost: 0 };
  readonly #running = new Set<Promise<void>>();
  readonly #deadline: number;
  readonly #budget: ReturnType<typeof budgetSignal>;
  readonly #handlers: Record<string, JobHandler>;
  readonly #db: Sql;
  readonly #discard: (paths: string[]) => Promise<unknown>;

  constructor(readonly options: DrainOptions) {
    this.#deadline = performance.now() + options.config.budgetMs;
    this.#budget = budgetSignal(options.config.budgetMs);
    this.#handlers = options.handlers ?? JOB_HANDLERS;
    this.#db = options.db ?? sql();
    this.#discard = options.discardFiles ?? removeImages;
  }

  #remaining = () => this.#deadline - performance.now();

  /** Runs until the queue is empty or the budget is spent; true when work may be left behind. */
  async run(): Promise<boolean> {
    const { concurrency, minJobMs, leaseSeconds } = this.options.config;
    let mayHaveMore = true;
    let outOfTime = false;
    try {
      while (true) {
        const free = concurrency - this.#running.size;
        outOfTime = this.#remaining() < minJobMs;
        if (mayHaveMore && free > 0 && !outOfTime) {
          const jobs = await claimJobs(free, leaseSeconds, this.#db);
          this.summary.claimed += jobs.length;
          jobs.forEach((job) => this.#start(job));
          mayHaveMore = jobs.length === free;
        }
        if (this.#running.size === 0) break;
        await Promise.race(this.#running);
        // A finished job frees a slot; new or newly due jobs may be waiting.
        mayHaveMore = true;
      }
    } finally {
      await Promise.allSettled(this.#running);
      this.#budget.stop();
    }
    return outOfTime && mayHaveMore;
  }

  #start(job: ClaimedJob) {
    const running = this.#runOne(job).finally(() => this.#running.delete(running));
    this.#running.add(running);
  }

  async #runOne(job: ClaimedJob) {
    const started = performance.now();
    const signal = AbortSignal.any([
      this.#budget.signal,
      AbortSignal.timeout(this.options.config.imageTimeoutMs),
    ]);
    let outcome: string;
    try {
      outcome = await this.#attempt(job, signal);
    } catch (error) {
      // The database failed us: the lease runs out and the job is claimed again later.
      console.error(
        JSON.stringify({
          level: "error",
          msg: "job bookkeeping failed",
          job_id: job.id,
          error: String(error),
        }),
      );
      outcome = "unrecorded";
    }
    log({
      msg: "job",
      job_id: job.id,
      job_type: job.job_type,
      attempt: job.attempts,
      outcome,
      duration_ms: Math.round(performance.now() - started),
    });
  }

  async #attempt(job: ClaimedJob, signal: AbortSignal): Promise<string> {
    try {
      const handler = this.#handlers[job.job_type];
      if (!handler) throw new PermanentJobError(`This worker cannot run jobs of type "${job.job_type}".`);
      const context = { signal, leaseSeconds: this.options.config.leaseSeconds, db: this.#db };
      const { output, files } = await handler(job, context);
      if (await completeJob(job, output, this.#db)) return this.#count("completed");
      await this.#discardQuietly(job, files);
      return this.#count("lost");
    } catch (error) {
      if (error instanceof LeaseLost) return this.#count("lost");
      return await this.#recordFailure(job, error);
    }
  }

  /** Files of a refused result; if they cannot go now, they stay until the job is deleted (then the sweep takes them). */
  async #discardQuietly(job: ClaimedJob, files: string[]) {
    try {
      await this.#discard(files);
    } catch (error) {
      console.error(
        JSON.stringify({
          level: "error",
          msg: "could not discard files",
          job_id: job.id,
          error: String(error),
        }),
      );
    }
  }

  async #recordFailure(job: ClaimedJob, error: unknown): Promise<string> {
    if (!isExpectedFailure(error)) {
      console.error(
        JSON.stringify({ level: "error", msg: "job crashed", job_id: job.id, error: String(error) }),
      );
    }
    const failure = failureOf(error);
    const outcome = await failJob(job, failure, this.#db);
    if (outcome === "pending") return this.#count("retried");
    if (outcome === "failed") return this.#count("failed");
    return this.#count("lost");
  }

  #count(outcome: "completed" | "failed" | "retried" | "lost"): string {
    this.summary[outcome] += 1;
    return outcome;
  }
}

/** Drains the queue within the configured budget and says what happened. */
export async function drainQueue(options: DrainOptions): Promise<DrainSummary> {
  const started = performance.now();
  const drain = new Drain(options);
  const leftWork = await drain.run();
  // Out of budget with jobs still due: hand over to a fresh invocation instead of waiting for cron.
  if (leftWork) await wakeWorker("continue", options.db ?? sql()).catch(() => {});
  return { ...drain.summary, duration_ms: Math.round(performance.now() - started) };
}
