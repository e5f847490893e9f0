/**
 * Helpers for the jobs and worker tests: an image provider row pointing at the fake (key stored in
 * Vault as the providers API stores it), polling until a job reaches a state, the worker's own URL,
 * and reading a job's queue columns straight from the database.
 * @module
 */
import type postgres from "postgres";
import type { db } from "./env.ts";
import { env, functionsUrl } from "./env.ts";

export type Db = ReturnType<typeof db>;

/** A key long enough to look real; tests check it never appears in a response or error_log. */
export const fakeKey = () => `sk-fake-${crypto.randomUUID()}`;

/** Gives the user an active image provider at `baseUrl` with `apiKey` stored in Vault. */
export async function giveImageProvider(
  sql: Db,
  userId: string,
  baseUrl: string,
  options: { provider?: string; apiKey?: string } = {},
): Promise<string> {
  const provider = options.provider ?? "openai";
  const apiKey = options.apiKey ?? fakeKey();
  await sql`
    insert into public.providers (user_id, provider, base_url, is_active)
    values (${userId}, ${provider}, ${baseUrl}, true)
    on conflict (user_id, provider) do update set base_url = excluded.base_url, is_active = true`;
  await sql`select private.store_provider_key(${userId}, ${provider}, ${apiKey})`;
  return apiKey;
}

/** A job's row with the queue columns the API does not show. */
export interface JobRow {
  id: string;
  status: string;
  attempts: number;
  error_log: string | null;
  output_data: Record<string, unknown> | null;
  run_after: Date;
  updated_at: Date;
  cancelled_at: Date | null;
  locked_until: Date | null;
  delay_seconds: number;
}

export async function jobRow(sql: Db, jobId: string): Promise<JobRow> {
  const [row] = await sql<JobRow[]>`
    select id, status, attempts, error_log, output_data, run_after, updated_at, cancelled_at, locked_until,
           extract(epoch from run_after - updated_at)::float8 as delay_seconds
    from public.jobs where id = ${jobId}`;
  return row;
}

/** Polls `probe` until it returns a value (not undefined), or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  timeoutMs = 20_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** Waits until the job's row satisfies `done`. */
export function waitForJob(
  sql: Db,
  jobId: string,
  what: string,
  done: (row: JobRow) => boolean,
  timeoutMs?: number,
) {
  return waitFor(`job ${what}`, async () => {
    const row = await jobRow(sql, jobId);
    return row && done(row) ? row : undefined;
  }, timeoutMs);
}

/** Calls the worker function directly, as pg_net does. */
export async function callWorker(body: Record<string, unknown> = {}, headers: Record<string, string> = {}) {
  const response = await fetch(`${functionsUrl}/worker`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      authorization: `Bearer ${env.serviceRoleKey}`,
      ...headers,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

/** Wakes the worker through pg_net, as the trigger and pg_cron do. */
export async function wakeWorker(sql: Db): Promise<void> {
  await sql`select private.wake_worker('test')`;
}

/** Names of the stored objects in the job-images bucket under `prefix`. */
export async function storedImages(sql: Db, prefix: string): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select name from storage.objects where bucket_id = 'job-images' and name like ${
    prefix + "%"
  } order by name`;
  return rows.map((row) => row.name);
}

/**
 * Inserts a job that is not due yet, and waits until the worker run its insert woke up has finished
 * (finding nothing to do), so that a test can then drain it with its own worker after `makeDue`.
 */
export async function insertParkedJob(
  sql: Db,
  userId: string,
  input: Record<string, unknown>,
): Promise<string> {
  const { id, wakeUp } = await sql.begin(async (tx) => {
    const [job] = await tx<{ id: string }[]>`
      insert into public.jobs (user_id, job_type, input_data, run_after)
      values (${userId}, 'image_generation', ${
      tx.json(input as postgres.JSONValue)
    }, now() + interval '1 hour')
      returning id`;
    const [request] = await tx<
      { id: string | null }[]
    >`select max(id)::text as id from net.http_request_queue`;
    return { id: job.id, wakeUp: request.id };
  });
  if (wakeUp) {
    await waitFor("the insert's wake-up to finish", async () => {
      const [done] = await sql`select 1 from net._http_response where id = ${wakeUp}`;
      return done;
    });
  }
  return id;
}

/**
 * When jobs a test makes due are due from: long ago, because a claim takes the oldest due jobs first,
 * so the test's jobs come before any due job other tests (running in parallel) left in the queue.
 */
export const DUE_LONG_AGO = "2000-01-01T00:00:00Z";

export async function makeDue(sql: Db, jobIds: string[]): Promise<void> {
  await sql`update public.jobs set run_after = ${DUE_LONG_AGO} where id in ${sql(jobIds)}`;
}
