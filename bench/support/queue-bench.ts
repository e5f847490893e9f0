/**
 * What bench/job-drain.ts needs from each queue it measures, and how it sees a drain end: the
 * handlers count the jobs they ran, and once all have run the queue's own table is polled until no
 * unfinished job is left (the last completions are written after the handlers return). Polling only
 * at the end keeps the bench's own queries from competing with the queue under test.
 * @module
 */
/** The per-worker settings every system gets, so the comparison is like for like. */
export interface WorkerShape {
  /** Jobs one worker runs (or fetches) at a time. */
  concurrency: number;
  /** Postgres connections one worker may open. */
  poolSize: number;
}

export interface QueueUnderTest {
  name: string;
  /**
   * The tables its drains write: vacuumed and analyzed once the jobs are queued, so no drain pays for
   * the dead rows of the one before (what autovacuum does between bursts on a running system).
   */
  tables: string[];
  setup(): Promise<void>;
  /** Queues `count` no-op jobs (not timed). */
  enqueue(count: number): Promise<void>;
  /** Starts `workers` workers and resolves once the queue has none unfinished; returns the ms taken. */
  drain(workers: number): Promise<number>;
  /** Removes finished jobs between runs. */
  clear(): Promise<void>;
  teardown(): Promise<void>;
}

/** A handler that counts its calls, and a promise for when it has been called `expected` times. */
export function countingHandler(expected: number) {
  let count = 0;
  let done = () => {};
  const allRan = new Promise<void>((resolve) => done = resolve);
  const ran = (jobs = 1) => {
    count += jobs;
    if (count >= expected) done();
  };
  return { ran, allRan };
}

/** Polls `remaining` every few milliseconds until it says 0; returns when that happened. */
export async function waitUntilEmpty(remaining: () => Promise<number>, timeoutMs = 300_000): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await remaining() === 0) return performance.now();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error("the queue did not drain in time");
}

/** Runs `work` with console.log silenced (per-job log lines would be measured too). */
export async function quietly<T>(work: () => Promise<T>): Promise<T> {
  const log = console.log;
  console.log = () => {};
  try {
    return await work();
  } finally {
    console.log = log;
  }
}
