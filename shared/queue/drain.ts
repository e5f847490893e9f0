/**
 * One worker invocation: claim due jobs under a lease and run up to `concurrency` of them at a time
 * until the queue is empty, the time budget is nearly spent or `maxJobs` have been claimed (CPU time
 * adds up over an invocation's jobs), then report what happened.
 *
 * The loop owns the queue traffic: whenever jobs finish, their results and the claim for the freed
 * slots go out in one statement, so a burst of jobs finishing together costs one round trip (fewer,
 * fuller statements measured faster than splitting the slots to keep two claims in flight). Each
 * job ends completed, back in the queue with backoff, failed, or — when its lease was revoked
 * (cancelled, or taken over after the lease expired) — untouched by this run.
 * @module
 */
import { setImmediate } from "node:timers";
import { type Database, database } from "../db/client.ts";
import { type Deadline, deadline } from "../runtime/deadline.ts";
import type { WorkerConfig } from "./config.ts";
import type { JobHandler } from "./handler.ts";
import { type Outcome, runJob } from "./job-run.ts";
import { type ClaimedJob, completeAndClaim, type Completion, wakeWorker } from "./queue.ts";

/** What one invocation did. `lost`: jobs whose lease was revoked while they ran (nothing written). */
export interface DrainSummary {
  claimed: number;
  completed: number;
  failed: number;
  retried: number;
  lost: number;
  duration_ms: number;
}

export interface DrainOptions {
  config: WorkerConfig;
  /** The handler of each job type this worker runs (registered at the worker's entry). */
  handlers: Record<string, JobHandler>;
  db?: Database;
  /** Deletes the files of a run whose result was refused (the job was no longer this run's). */
  discardFiles: (paths: string[]) => Promise<unknown>;
}

const BUDGET_SPENT = "was still working when the worker's time budget ran out";

interface Finished extends Completion {
  settle(completed: boolean): void;
  fail(error: unknown): void;
}

/** A promise to wait on until the next job event, replaced once it has fired. */
function nextSignal() {
  let fire = () => {};
  const fired = new Promise<void>((resolve) => fire = resolve);
  return { fired, fire };
}

class Drain {
  readonly summary = { claimed: 0, completed: 0, failed: 0, retried: 0, lost: 0 };
  readonly #config: WorkerConfig;
  readonly #db: Database;
  readonly #started = performance.now();
  readonly #budget: Deadline;
  readonly #runs = new Set<Promise<void>>();
  readonly #writes = new Set<Promise<void>>();
  #active = 0;
  /** Slots promised to claims in flight. */
  #reserved = 0;
  #finished: Finished[] = [];
  #event = nextSignal();
  #mayHaveMore = true;
  #claimsOver = false;

  constructor(readonly options: DrainOptions) {
    this.#config = options.config;
    this.#db = options.db ?? database();
    // Its explanation becomes the error_log of a job the budget cuts off.
    this.#budget = deadline(this.#config.budgetMs, { explanation: BUDGET_SPENT });
  }

  /**
   * Runs until the queue is empty, the budget is spent or `maxJobs` were claimed; true when work may
   * be left behind.
   */
  async run(): Promise<boolean> {
    try {
      while (true) {
        this.#claimsOver =
          performance.now() - this.#started > this.#config.budgetMs - this.#config.minJobMs ||
          this.summary.claimed + this.#reserved >= (this.#config.maxJobs ?? Infinity);
        this.#flush();
        if (this.#active === 0 && this.#finished.length === 0 && this.#writes.size === 0) break;
        await this.#nextEvent();
      }
    } finally {
      await Promise.allSettled([...this.#runs, ...this.#writes]);
      this.#budget.clear();
    }
    return this.#claimsOver && this.#mayHaveMore;
  }

  /** Sends what finished, and claims for the free slots no claim in flight covers yet. */
  #flush() {
    while (true) {
      const finished = this.#finished.splice(0);
      const left = (this.#config.maxJobs ?? Infinity) - this.summary.claimed - this.#reserved;
      const free = Math.min(this.#config.concurrency - this.#active - this.#reserved, left);
      const limit = this.#mayHaveMore && !this.#claimsOver ? free : 0;
      if (finished.length === 0 && limit <= 0) return;
      this.#reserved += limit;
      const write = this.#write(finished, limit).finally(() => {
        this.#writes.delete(write);
        this.#event.fire();
      });
      this.#writes.add(write);
    }
  }

  /** Writes the finished jobs and claims `limit` more; a failed write leaves those jobs to their leases. */
  async #write(finished: Finished[], limit: number): Promise<void> {
    let claimed: ClaimedJob[] = [];
    try {
      const written = await completeAndClaim(finished, limit, this.#config.leaseSeconds, this.#db);
      for (const item of finished) item.settle(written.completed.get(item.job.id) ?? false);
      claimed = written.claimed;
    } catch (error) {
      console.error(JSON.stringify({ level: "error", msg: "queue write failed", error: String(error) }));
      for (const item of finished) item.fail(error);
    }
    this.#reserved -= limit;
    if (limit > 0 && claimed.length < limit) this.#mayHaveMore = false;
    this.summary.claimed += claimed.length;
    if (claimed.length > 0) this.#startBatch(claimed);
  }

  /** Jobs claimed together start together, so they share one deadline (one timer per batch). */
  #startBatch(jobs: ClaimedJob[]) {
    const limit = deadline(this.#config.jobTimeoutMs, { parent: this.#budget.signal });
    void Promise.allSettled(jobs.map((job) => this.#start(job, limit.signal))).then(() => limit.clear());
  }

  /** Waits for an event, then one more turn of the event loop so a burst is handled together. */
  async #nextEvent() {
    await this.#event.fired;
    this.#event = nextSignal();
    // setImmediate, not setTimeout(0): a timer costs a millisecond or more, a burst of short jobs
    // would spend more time waiting for it than writing.
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** A job finished or freed its slot: new or newly due jobs may be waiting too. */
  #jobEvent() {
    this.#mayHaveMore = true;
    this.#event.fire();
  }

  #start(job: ClaimedJob, signal: AbortSignal): Promise<void> {
    this.#active += 1;
    const run = runJob(job, {
      handlers: this.options.handlers,
      db: this.#db,
      leaseSeconds: this.#config.leaseSeconds,
      signal,
      release: () => {
        this.#active -= 1;
        this.#jobEvent();
      },
      complete: (job, output) =>
        new Promise<boolean>((settle, fail) => {
          this.#finished.push({ job, output, settle, fail });
          this.#jobEvent();
        }),
      discard: this.options.discardFiles,
    }).then((outcome) => this.#count(outcome)).finally(() => this.#runs.delete(run));
    this.#runs.add(run);
    return run;
  }

  #count(outcome: Outcome) {
    if (outcome !== "unrecorded") this.summary[outcome] += 1;
  }
}

/** Drains the queue within the configured budget and says what happened. */
export async function drainQueue(options: DrainOptions): Promise<DrainSummary> {
  const started = performance.now();
  const drain = new Drain(options);
  const leftWork = await drain.run();
  // Out of budget (or of jobs it may claim) with jobs still due: hand over to a fresh invocation
  // instead of waiting for cron.
  if (leftWork) await wakeWorker("continue", options.db ?? database()).catch(() => {});
  return { ...drain.summary, duration_ms: Math.round(performance.now() - started) };
}
