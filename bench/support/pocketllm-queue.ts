/**
 * PocketLLM's queue under the bench: the worker's own drain loop (claim under a lease, run, fenced
 * complete) with a no-op handler standing in for image generation, k drains at once as k worker
 * invocations would. Wake-ups are paused meanwhile (the `project_url` Vault secret is renamed), so
 * the stack's real worker does not take part; the name is restored at teardown.
 * @module
 */
import type postgres from "postgres";
import { createDatabase } from "../../shared/db/client.ts";
import { drainQueue } from "../../shared/queue/drain.ts";
import type { JobHandler } from "../../shared/queue/handler.ts";
import { type QueueUnderTest, quietly, type WorkerShape } from "./queue-bench.ts";

const PAUSED = "project_url:paused-by-job-drain-bench";
const noop: JobHandler = () => Promise.resolve({ output: {}, files: [] });

const renameSecret = (sql: postgres.Sql, from: string, to: string) =>
  sql`select vault.update_secret(id, new_name => ${to}) from vault.secrets where name = ${from}`;

/**
 * Stops the stack's worker from being woken (by inserts, pg_cron or drains) until the returned
 * function is called: without `project_url` in Vault, private.wake_worker has nowhere to call.
 */
export async function pauseWorkerWakeUps(sql: postgres.Sql): Promise<() => Promise<void>> {
  await renameSecret(sql, "project_url", PAUSED);
  return async () => void await renameSecret(sql, PAUSED, "project_url");
}

export function pocketllmQueue(dbUrl: string, sql: postgres.Sql, shape: WorkerShape): QueueUnderTest {
  const userId = crypto.randomUUID();
  let resumeWakeUps = () => Promise.resolve();

  async function drainOnce(): Promise<void> {
    const db = createDatabase(dbUrl, { max: shape.poolSize });
    try {
      await drainQueue({
        config: {
          budgetMs: 300_000,
          concurrency: shape.concurrency,
          leaseSeconds: 300,
          jobTimeoutMs: 60_000,
          minJobMs: 0,
        },
        handlers: { image_generation: noop },
        db,
        discardFiles: () => Promise.resolve(),
      });
    } finally {
      await db.end();
    }
  }

  return {
    name: "PocketLLM (jobs + drain)",
    tables: ["public.jobs", "public.notifications"],
    async setup() {
      resumeWakeUps = await pauseWorkerWakeUps(sql);
      await sql`
        insert into auth.users (instance_id, id, aud, role, email, created_at, updated_at)
        values ('00000000-0000-0000-0000-000000000000', ${userId}, 'authenticated', 'authenticated',
                ${`job-drain-bench-${userId}@example.test`}, now(), now())`;
    },
    async enqueue(count) {
      await sql`
        insert into public.jobs (user_id, job_type, input_data)
        select ${userId}, 'image_generation', '{}'::jsonb from generate_series(1, ${count})`;
    },
    async drain(workers) {
      const started = performance.now();
      await quietly(() => Promise.all(Array.from({ length: workers }, drainOnce)));
      const elapsed = performance.now() - started;
      const [{ left }] = await sql<{ left: number }[]>`
        select count(*)::int as left from public.jobs where user_id = ${userId} and status <> 'completed'`;
      if (left > 0) throw new Error(`${left} jobs were not completed`);
      return elapsed;
    },
    async clear() {
      await sql`delete from public.jobs where user_id = ${userId}`;
      await sql`delete from public.notifications where user_id = ${userId}`;
    },
    async teardown() {
      await sql`delete from auth.users where id = ${userId}`;
      await resumeWakeUps();
    },
  };
}
