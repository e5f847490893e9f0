/**
 * The worker under faults: killed mid-batch (its lease expires, another run completes the job once),
 * a stalled run whose late result is fenced out, a provider failing twice then succeeding (retried
 * with growing delays), Retry-After, a permanent failure then the retry endpoint, cancel during
 * processing, a job cut off by the time budget, and the cap on the jobs of one invocation.
 */
import assert from "node:assert/strict";
import type { WorkerConfig } from "../../shared/queue/config.ts";
import { setDestinationPolicy } from "../../shared/llm/destinations.ts";
import { drainJobs } from "../../shared/worker.ts";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { createDatabase, type Database } from "../../shared/db/client.ts";
import { db, env } from "../helpers/env.ts";
import { type FakeImages, startFakeImages } from "../helpers/fake_images.ts";
import {
  type Db,
  giveImageProvider,
  insertParkedJob,
  jobRow,
  makeDue,
  storedImages,
  waitFor,
  waitForJob,
  wakeWorker,
} from "../helpers/jobs.ts";

// The fake providers listen on 127.0.0.1: allowed here, as the local stack allows them for its functions.
setDestinationPolicy({ allowPrivate: true });

interface Fixture {
  sql: Db;
  /** The database the worker's code runs on. */
  appDb: Database;
  fake: FakeImages;
  user: TestUser;
  key: string;
}

async function withFixture(run: (fixture: Fixture) => Promise<void>) {
  const sql = db();
  const appDb = createDatabase(env.dbUrl, { max: 4 });
  const fake = startFakeImages();
  try {
    const user = await signUpUser();
    const key = await giveImageProvider(sql, user.id, fake.baseUrl);
    await run({ sql, appDb, fake, user, key });
  } finally {
    fake.release();
    await fake.close();
    await Promise.all([sql.end(), appDb.end()]);
  }
}

const INPUT = { prompt: "a kite", provider: "openai", model: "gpt-image-1" };

const createJob = async (user: TestUser) => {
  const { status, body } = await call("/v1/jobs/image-generation", {
    method: "POST",
    token: user.token,
    body: { input_data: { prompt: "a kite" } },
  });
  assert.equal(status, 200);
  return body.job_id as string;
};

/** Runs a due job again now instead of after its backoff, and wakes the worker through pg_net. */
async function runAgainNow(sql: Db, jobId: string) {
  await makeDue(sql, [jobId]);
  await wakeWorker(sql);
}

/**
 * Whether the stack's own worker, woken by tests running beside this one, claimed the job first (in the
 * moment between its being made due and this test's run claiming it): the held call is then its own,
 * under its long lease. Time would end that lease too; this ends it now instead of in minutes, so the
 * job is taken over as the test expects.
 */
async function endStolenLease(sql: Db, jobId: string): Promise<boolean> {
  const held = await jobRow(sql, jobId);
  if (held.locked_until! <= new Date(Date.now() + 10_000)) return false;
  await sql`update public.jobs set locked_until = now() - interval '1 second' where id = ${jobId}`;
  return true;
}

const testConfig = (overrides: Partial<WorkerConfig>): WorkerConfig => ({
  budgetMs: 20_000,
  concurrency: 4,
  leaseSeconds: 60,
  jobTimeoutMs: 20_000,
  minJobMs: 0,
  ...overrides,
});

Deno.test("a worker killed mid-batch: its lease expires and another run completes the job exactly once", async () => {
  await withFixture(async ({ sql, fake, user }) => {
    fake.script({ hold: true });
    const jobId = await insertParkedJob(sql, user.id, INPUT);
    const worker = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../helpers/drain_once.ts", import.meta.url).pathname],
      env: { WORKER_LEASE_SECONDS: "2", WORKER_BUDGET_MS: "30000", MAKE_DUE: jobId },
      stdout: "null",
      stderr: "null",
    }).spawn();
    await fake.arrived(1);
    const claimed = await jobRow(sql, jobId);
    assert.equal(claimed.status, "processing");
    assert.equal(claimed.attempts, 1);
    worker.kill("SIGKILL");
    await worker.status;

    await endStolenLease(sql, jobId);
    await waitFor(
      "the lease to expire",
      async () => (await jobRow(sql, jobId)).locked_until! < new Date() || undefined,
    );
    await wakeWorker(sql);
    const done = await waitForJob(sql, jobId, "completed", (row) => row.status === "completed");
    assert.equal(done.attempts, 2);
    assert.equal(fake.requests.length, 2);
    assert.deepEqual(await storedImages(sql, `${user.id}/${jobId}/`), [`${user.id}/${jobId}/1.png`]);
  });
});

Deno.test("a stalled run that outlives its lease cannot overwrite the run that took over", async () => {
  await withFixture(async ({ sql, appDb, fake, user }) => {
    fake.script({ hold: true });
    const jobId = await insertParkedJob(sql, user.id, INPUT);
    await makeDue(sql, [jobId]);
    const stalled = drainJobs({ config: testConfig({ leaseSeconds: 1 }), db: appDb });
    await fake.arrived(1);
    const stolen = await endStolenLease(sql, jobId);
    await waitFor(
      "the lease to expire",
      async () => (await jobRow(sql, jobId)).locked_until! < new Date() || undefined,
    );
    await wakeWorker(sql);
    const done = await waitForJob(sql, jobId, "completed", (row) => row.status === "completed");

    fake.release();
    const summary = await stalled;
    // The stalled run is this test's own unless the stack's worker took the job first; the late result
    // is fenced out either way (below).
    if (!stolen) {
      assert.deepEqual({ ...summary, duration_ms: 0 }, {
        claimed: 1,
        completed: 0,
        failed: 0,
        retried: 0,
        lost: 1,
        duration_ms: 0,
      });
    }
    // A stolen job's stalled run is in the stack's worker: its late result comes back there.
    if (stolen) await new Promise((resolve) => setTimeout(resolve, 1_000));
    const after = await jobRow(sql, jobId);
    assert.equal(after.updated_at.getTime(), done.updated_at.getTime(), "the late result changed nothing");
    assert.equal(after.attempts, 2);
  });
});

Deno.test("a provider failing twice then succeeding: retried with growing delays, then completed", async () => {
  await withFixture(async ({ sql, fake, user }) => {
    fake.script({ status: 503, message: "overloaded" }, { status: 500, message: "boom" });
    const jobId = await createJob(user);

    const first = await waitForJob(
      sql,
      jobId,
      "first retry",
      (row) => row.status === "pending" && row.attempts === 1,
    );
    assert.match(first.error_log!, /openai answered 503: overloaded/);
    await runAgainNow(sql, jobId);
    const second = await waitForJob(
      sql,
      jobId,
      "second retry",
      (row) => row.status === "pending" && row.attempts === 2,
    );
    assert.match(second.error_log!, /answered 500: boom/);
    assert.ok(Math.abs(first.delay_seconds - 30) < 2, `first delay ${first.delay_seconds}`);
    assert.ok(Math.abs(second.delay_seconds - 60) < 2, `second delay ${second.delay_seconds}`);

    await runAgainNow(sql, jobId);
    const done = await waitForJob(sql, jobId, "completed", (row) => row.status === "completed");
    assert.equal(done.attempts, 3);
    assert.equal(done.error_log, null);
    assert.equal(fake.requests.length, 3);
  });
});

Deno.test("a 429 with Retry-After waits at least that long", async () => {
  await withFixture(async ({ sql, fake, user }) => {
    fake.script({ status: 429, message: "slow down", retryAfter: "120" });
    const jobId = await createJob(user);
    const row = await waitForJob(
      sql,
      jobId,
      "retry",
      (job) => job.status === "pending" && job.attempts === 1,
    );
    assert.ok(row.delay_seconds >= 119 && row.delay_seconds < 125, `delay ${row.delay_seconds}`);
    assert.match(row.error_log!, /answered 429: slow down/);
    await sql`delete from public.jobs where id = ${jobId}`;
  });
});

Deno.test("a permanent failure ends failed with a readable error; the retry endpoint queues it again", async () => {
  await withFixture(async ({ sql, fake, user, key }) => {
    fake.script({ status: 401, message: `Incorrect API key provided: ${key}.` });
    const jobId = await createJob(user);
    const failed = await waitForJob(sql, jobId, "failed", (row) => row.status === "failed");
    assert.equal(failed.attempts, 1, "not retried");
    const { body: job } = await call(`/v1/jobs/${jobId}`, { token: user.token });
    assert.equal(job.error_log, "openai answered 401: Incorrect API key provided: [redacted].");

    const retried = await call(`/v1/jobs/${jobId}/retry`, { method: "POST", token: user.token });
    assert.equal(retried.status, 200);
    assert.deepEqual(retried.body, { job_id: jobId, status: "pending" });
    const done = await waitForJob(sql, jobId, "completed", (row) => row.status === "completed");
    assert.equal(done.attempts, 1, "a retried job starts its attempts afresh");
    const again = await call(`/v1/jobs/${jobId}/retry`, { method: "POST", token: user.token });
    assert.equal(again.status, 400);
  });
});

Deno.test("a job cancelled while the provider works is never completed and leaves no files", async () => {
  await withFixture(async ({ sql, fake, user }) => {
    fake.script({ hold: true });
    const [{ now: startedAt }] = await sql<{ now: Date }[]>`select now()`;
    const jobId = await createJob(user);
    await fake.arrived(1);
    assert.equal((await call(`/v1/jobs/${jobId}`, { token: user.token })).body.status, "processing");
    assert.equal((await call(`/v1/jobs/${jobId}`, { method: "DELETE", token: user.token })).status, 204);
    fake.release();

    await waitFor("the worker to give the job up", async () => {
      const [row] = await sql`
        select 1 from net._http_response where created >= ${startedAt} and content like '%"lost":1%'`;
      return row;
    });
    const row = await jobRow(sql, jobId);
    assert.equal(row.status, "failed");
    assert.equal(row.error_log, "Cancelled.");
    assert.equal(row.output_data, null);
    assert.deepEqual(await storedImages(sql, `${user.id}/${jobId}/`), []);
  });
});

Deno.test("a job still running when the budget runs out goes back to the queue", async () => {
  await withFixture(async ({ sql, appDb, fake, user }) => {
    fake.script({ hold: true });
    const jobId = await insertParkedJob(sql, user.id, INPUT);
    await makeDue(sql, [jobId]);
    const summary = await drainJobs({ config: testConfig({ budgetMs: 1500 }), db: appDb });
    assert.equal(summary.retried, 1);
    assert.ok(summary.duration_ms < 3000, `took ${summary.duration_ms} ms`);
    const row = await jobRow(sql, jobId);
    assert.equal(row.status, "pending");
    assert.equal(row.error_log, "openai was still working when the worker's time budget ran out");
    await sql`delete from public.jobs where id = ${jobId}`;
  });
});

Deno.test("an invocation claims at most maxJobs (CPU adds up per request); a fresh one takes the rest", async () => {
  await withFixture(async ({ sql, appDb, user }) => {
    const jobIds = [];
    for (let i = 0; i < 5; i++) jobIds.push(await insertParkedJob(sql, user.id, INPUT));
    await makeDue(sql, jobIds);
    const summary = await drainJobs({ config: testConfig({ concurrency: 2, maxJobs: 3 }), db: appDb });
    assert.equal(summary.claimed, 3);
    assert.equal(summary.completed, 3);
    // It handed over to a fresh invocation (through pg_net), which completes the other two.
    for (const jobId of jobIds) {
      await waitForJob(sql, jobId, "completed", (row) => row.status === "completed");
    }
  });
});
