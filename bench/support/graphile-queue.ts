/**
 * graphile-worker (npm) under the bench, in its own schema of the same database: k runners with
 * `concurrency` job loops each (LISTEN/NOTIFY wake-ups, get_job/complete_job per job), a no-op task
 * and a silent logger.
 * @module
 */
import type postgres from "postgres";
import { Logger, makeWorkerUtils, run, runMigrations, type WorkerUtils } from "graphile-worker";
import { countingHandler, type QueueUnderTest, waitUntilEmpty, type WorkerShape } from "./queue-bench.ts";

const SCHEMA = "bench_graphile";
const ADD_CHUNK = 2000;
const silent = new Logger(() => () => {});

export function graphileQueue(dbUrl: string, sql: postgres.Sql, shape: WorkerShape): QueueUnderTest {
  const options = { connectionString: dbUrl, schema: SCHEMA, logger: silent, maxPoolSize: shape.poolSize };
  let utils: WorkerUtils | undefined;
  let queued = 0;

  const unfinished = async () =>
    (await sql<{ n: number }[]>`select count(*)::int as n from bench_graphile._private_jobs`)[0].n;

  return {
    name: "graphile-worker 0.18",
    tables: [`${SCHEMA}._private_jobs`, `${SCHEMA}._private_job_queues`],
    async setup() {
      await sql.unsafe(`drop schema if exists ${SCHEMA} cascade`);
      await runMigrations(options);
      utils = await makeWorkerUtils(options);
    },
    async enqueue(count) {
      for (let done = 0; done < count; done += ADD_CHUNK) {
        const size = Math.min(ADD_CHUNK, count - done);
        await utils!.addJobs(Array.from({ length: size }, () => ({ identifier: "noop", payload: {} })));
      }
      queued = count;
    },
    async drain(workers) {
      const { ran, allRan } = countingHandler(queued);
      const started = performance.now();
      const runners = await Promise.all(Array.from({ length: workers }, () =>
        run({
          ...options,
          concurrency: shape.concurrency,
          noHandleSignals: true,
          pollInterval: 500,
          taskList: { noop: () => Promise.resolve(ran()) },
        })));
      await allRan;
      const finished = await waitUntilEmpty(unfinished);
      await Promise.all(runners.map((runner) => runner.stop()));
      return finished - started;
    },
    async clear() {},
    async teardown() {
      await utils?.release();
      await sql.unsafe(`drop schema if exists ${SCHEMA} cascade`);
    },
  };
}
