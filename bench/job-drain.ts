/**
 * How fast the job queue drains: N no-op jobs (default 10,000) with 1, 2 and 4 concurrent workers,
 * for PocketLLM's queue (public.jobs, driven by the worker's own drain loop with a no-op handler),
 * pg-boss and graphile-worker (from npm, each in its own schema of the same database), in the same
 * run, interleaved per worker count, each measured `rounds` times (the median is reported). Every
 * worker runs 8 jobs at a time with up to 10 connections. Prints jobs/s per system and how
 * PocketLLM compares with the better of the other two (goal ≥ 2×). Needs a running stack
 * (SUPABASE_DB_URL, e.g. `eval "$(bash stack/bin/test-env)"`).
 *
 *   deno run -A bench/job-drain.ts [jobs=10000] [workers=1,2,4] [rounds=3]
 */
import postgres from "postgres";
import { graphileQueue } from "./support/graphile-queue.ts";
import { pgBossQueue } from "./support/pgboss-queue.ts";
import { pocketllmQueue } from "./support/pocketllm-queue.ts";
import type { QueueUnderTest, WorkerShape } from "./support/queue-bench.ts";

const jobs = Number(Deno.args[0] ?? 10_000);
const workerCounts = (Deno.args[1] ?? "1,2,4").split(",").map(Number);
const rounds = Number(Deno.args[2] ?? 3);
const WARM_UP_JOBS = 500;
const shape: WorkerShape = { concurrency: 8, poolSize: 10 };

const dbUrl = Deno.env.get("SUPABASE_DB_URL");
if (!dbUrl) throw new Error('SUPABASE_DB_URL is not set: eval "$(bash stack/bin/test-env)" first.');
const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });

async function measure(queue: QueueUnderTest, count: number, workers: number): Promise<number> {
  await queue.enqueue(count);
  await sql.unsafe(`vacuum (analyze) ${queue.tables.join(", ")}`);
  const elapsedMs = await queue.drain(workers);
  await queue.clear();
  return count / (elapsedMs / 1000);
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

const systems = [
  pocketllmQueue(dbUrl, sql, shape),
  pgBossQueue(dbUrl, sql, shape),
  graphileQueue(dbUrl, sql, shape),
];
/** samples[system][index of the worker count] = jobs/s of each round */
const samples = new Map(systems.map((system) => [system.name, workerCounts.map((): number[] => [])]));
try {
  for (const system of systems) {
    await system.setup();
    await measure(system, WARM_UP_JOBS, 1);
  }
  for (let round = 1; round <= rounds; round++) {
    for (const [i, workers] of workerCounts.entries()) {
      for (const system of systems) {
        const rate = await measure(system, jobs, workers);
        samples.get(system.name)![i].push(rate);
        console.error(`round ${round}: ${system.name}, ${workers} worker(s): ${Math.round(rate)} jobs/s`);
      }
    }
  }
} finally {
  for (const system of systems) await system.teardown().catch((error) => console.error(system.name, error));
  await sql.end();
}

const rates = new Map(systems.map((system) => [system.name, samples.get(system.name)!.map(median)]));
const [ours, ...others] = systems.map((system) => rates.get(system.name)!);
console.log(
  `\nDraining ${
    jobs.toLocaleString("en")
  } no-op jobs, jobs/s, median of ${rounds} (8 jobs at a time per worker):\n`,
);
console.log(`| workers | ${systems.map((system) => system.name).join(" | ")} | PocketLLM / best other |`);
console.log(`| ------- | ${systems.map(() => "---:").join(" | ")} | ---: |`);
workerCounts.forEach((workers, i) => {
  const best = Math.max(...others.map((rate) => rate[i]));
  const cells = systems.map((system) => Math.round(rates.get(system.name)![i]).toLocaleString("en"));
  console.log(`| ${workers} | ${cells.join(" | ")} | ${(ours[i] / best).toFixed(2)}× |`);
});
