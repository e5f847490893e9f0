/**
 * pg-boss (npm) under the bench, in its own schema of the same database: k PgBoss instances, each
 * one `work()` that fetches `concurrency` jobs at a time and keeps fetching while batches come back
 * full, with a no-op handler. Maintenance and scheduling are off on the workers.
 * @module
 */
import type postgres from "postgres";
import { PgBoss } from "pg-boss";
import { countingHandler, type QueueUnderTest, waitUntilEmpty, type WorkerShape } from "./queue-bench.ts";

const SCHEMA = "bench_pgboss";
const QUEUE = "noop";
const INSERT_CHUNK = 2000;

export function pgBossQueue(dbUrl: string, sql: postgres.Sql, shape: WorkerShape): QueueUnderTest {
  const options = { connectionString: dbUrl, schema: SCHEMA, max: shape.poolSize };
  let producer: PgBoss | undefined;
  let queued = 0;

  const unfinished = async () =>
    (await sql<{ n: number }[]>`
      select count(*)::int as n from bench_pgboss.job where name = ${QUEUE} and state < 'completed'`)[0].n;

  return {
    name: "pg-boss 12.38",
    tables: [`${SCHEMA}.job`],
    async setup() {
      await sql.unsafe(`drop schema if exists ${SCHEMA} cascade`);
      producer = new PgBoss({ ...options, supervise: false, schedule: false });
      producer.on("error", (error) => console.error("pg-boss:", error));
      await producer.start();
      await producer.createQueue(QUEUE);
    },
    async enqueue(count) {
      for (let done = 0; done < count; done += INSERT_CHUNK) {
        const size = Math.min(INSERT_CHUNK, count - done);
        await producer!.insert(QUEUE, Array.from({ length: size }, () => ({ data: {} })));
      }
      queued = count;
    },
    async drain(workers) {
      const bosses = Array.from(
        { length: workers },
        () => new PgBoss({ ...options, supervise: false, schedule: false, migrate: false }),
      );
      await Promise.all(bosses.map((boss) => boss.start()));
      const { ran, allRan } = countingHandler(queued);
      const started = performance.now();
      await Promise.all(bosses.map((boss) =>
        boss.work(
          QUEUE,
          { batchSize: shape.concurrency, pollingIntervalSeconds: 0.5, burstWhenBatchFull: true },
          (jobs) => Promise.resolve(ran(jobs.length)),
        )
      ));
      await allRan;
      const finished = await waitUntilEmpty(unfinished);
      await Promise.all(bosses.map((boss) => boss.stop({ graceful: false })));
      return finished - started;
    },
    async clear() {
      await sql`delete from bench_pgboss.job where name = ${QUEUE}`;
    },
    async teardown() {
      await producer?.stop({ graceful: false });
      await sql.unsafe(`drop schema if exists ${SCHEMA} cascade`);
    },
  };
}
