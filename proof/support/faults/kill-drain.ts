/**
 * Draining the queue with worker processes that are SIGKILLed at random moments: `workers` slots
 * each run tests/helpers/drain_once.ts again and again, while a killer picks a running one at
 * random intervals and kills it, until `remaining()` reports no job left (or time runs out).
 * @module
 */
import { sleep } from "./table.ts";

const DRAIN_ONCE = new URL("../../../tests/helpers/drain_once.ts", import.meta.url).pathname;

export interface KillPlan {
  /** Worker processes running at once. */
  workers: number;
  /** A kill every `killEveryMs[0]`..`killEveryMs[1]` ms. */
  killEveryMs: [number, number];
  /** The worker's lease: how soon a killed worker's jobs come back. */
  leaseSeconds: number;
  /** Jobs a worker runs at once. */
  concurrency: number;
  /** Gives up after this long. */
  deadlineMs: number;
}

export interface KillStats {
  runs: number;
  kills: number;
  durationMs: number;
  finished: boolean;
}

function spawnDrain(plan: KillPlan): Deno.ChildProcess {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", DRAIN_ONCE],
    env: {
      WORKER_LEASE_SECONDS: String(plan.leaseSeconds),
      WORKER_BUDGET_MS: "120000",
      WORKER_CONCURRENCY: String(plan.concurrency),
      WORKER_MIN_JOB_MS: "0",
    },
    stdout: "null",
    stderr: "null",
  }).spawn();
}

const between = ([low, high]: [number, number]) => low + Math.random() * (high - low);

/** Runs the drain under kills until `remaining()` is 0; returns what happened. */
export async function drainWhileKilling(
  plan: KillPlan,
  remaining: () => Promise<number>,
): Promise<KillStats> {
  const live = new Set<Deno.ChildProcess>();
  const stats: KillStats = { runs: 0, kills: 0, durationMs: 0, finished: false };
  const started = performance.now();
  let done = false;

  const slot = async () => {
    while (!done) {
      const child = spawnDrain(plan);
      live.add(child);
      stats.runs++;
      const status = await child.status;
      live.delete(child);
      // A run that found nothing due (jobs still leased by a killed run) waits before trying again.
      if (status.success) await sleep(300);
    }
  };
  const killer = async () => {
    while (!done) {
      await sleep(between(plan.killEveryMs));
      const running = [...live];
      if (done || running.length === 0) continue;
      const victim = running[Math.floor(Math.random() * running.length)];
      try {
        victim.kill("SIGKILL");
        stats.kills++;
      } catch {
        // It exited on its own meanwhile.
      }
    }
  };
  const watch = async () => {
    while (!done) {
      await sleep(500);
      stats.finished = await remaining() === 0;
      done = stats.finished || performance.now() - started > plan.deadlineMs;
    }
    stats.durationMs = performance.now() - started;
    // Out of time: the runs still going are stopped (not counted as kills).
    for (const child of live) {
      try {
        child.kill("SIGKILL");
      } catch {
        // Already gone.
      }
    }
  };
  await Promise.all([watch(), killer(), ...Array.from({ length: plan.workers }, slot)]);
  return stats;
}
