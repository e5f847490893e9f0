/**
 * Fault 2: the worker killed repeatedly during a drain. N image jobs for one user whose provider is
 * a local fake are drained by worker processes SIGKILLed at random moments and restarted, with a
 * short lease so that a killed run's jobs come back. Afterwards: every job completed (0 lost), each
 * exactly once (an audit trigger counts the transitions to `completed`), one stored image per job,
 * and no provider call that a claim does not account for (calls per job ≤ its attempts).
 * @module
 */
import { pauseWorkerWakeUps } from "../../../bench/support/pocketllm-queue.ts";
import { signUpUser } from "../../../tests/helpers/api.ts";
import { db } from "../../../tests/helpers/env.ts";
import { type FakeImages, startFakeImages } from "../../../tests/helpers/fake_images.ts";
import { type Db, giveImageProvider } from "../../../tests/helpers/jobs.ts";
import { completionsPerJob, dropCompletionsAudit, installCompletionsAudit } from "./completions-audit.ts";
import { drainWhileKilling, type KillPlan, type KillStats } from "./kill-drain.ts";
import { type Check, markdownTable, printChecks } from "./table.ts";

/** A job killed this many times over is still worth finishing: the point is to see it complete. */
const MAX_ATTEMPTS = 25;

export const KILL_DEFAULTS: KillPlan = {
  workers: 2,
  killEveryMs: [500, 2_500],
  leaseSeconds: 3,
  concurrency: 8,
  deadlineMs: 600_000,
};

interface JobState {
  id: string;
  prompt: string;
  status: string;
  attempts: number;
  images: number;
}

async function enqueue(sql: Db, userId: string, count: number): Promise<void> {
  await sql`
    insert into public.jobs (user_id, job_type, input_data, max_attempts)
    select ${userId}, 'image_generation',
           jsonb_build_object('prompt', 'fault-job-' || g, 'provider', 'openai', 'model', 'gpt-image-1'),
           ${MAX_ATTEMPTS}
    from generate_series(1, ${count}) g`;
}

const remainingFor = (sql: Db, userId: string) => async () => {
  const [{ left }] = await sql<{ left: number }[]>`
    select count(*)::int as left from public.jobs
    where user_id = ${userId} and status in ('pending', 'processing')`;
  return left;
};

async function jobStates(sql: Db, userId: string): Promise<JobState[]> {
  return await sql<JobState[]>`
    select j.id, j.input_data->>'prompt' as prompt, j.status, j.attempts,
           (select count(*)::int from storage.objects o
            where o.bucket_id = 'job-images' and o.name like ${userId} || '/' || j.id || '/%') as images
    from public.jobs j where j.user_id = ${userId}`;
}

function callsPerPrompt(fake: FakeImages): Map<string, number> {
  const calls = new Map<string, number>();
  for (const request of fake.requests) {
    const prompt = String(request.body.prompt);
    calls.set(prompt, (calls.get(prompt) ?? 0) + 1);
  }
  return calls;
}

function checks(jobs: JobState[], completions: Map<string, number>, calls: Map<string, number>): Check[] {
  const notCompleted = jobs.filter((job) => job.status !== "completed");
  const twice = jobs.filter((job) => (completions.get(job.id) ?? 0) > 1);
  const neverCompleted = jobs.filter((job) => (completions.get(job.id) ?? 0) === 0);
  const imagesOff = jobs.filter((job) => job.images !== 1);
  const unaccounted = jobs.filter((job) => (calls.get(job.prompt) ?? 0) > job.attempts);
  const uncalled = jobs.filter((job) => (calls.get(job.prompt) ?? 0) === 0);
  const sample = (list: JobState[]) => list.slice(0, 3).map((job) => job.id.slice(0, 8)).join(", ");
  const row = (check: string, list: JobState[], detail = "") => ({
    check,
    ok: list.length === 0,
    detail: `${list.length} of ${jobs.length}${list.length ? ` (${sample(list)}…)` : ""}${detail}`,
  });
  return [
    row("jobs lost (not completed)", notCompleted),
    row("jobs completed twice (audit trigger)", twice),
    row("jobs completed without a recorded completion", neverCompleted),
    row("jobs without exactly one stored image", imagesOff),
    row("jobs with more provider calls than claims", unaccounted),
    row("jobs completed without a provider call", uncalled),
  ];
}

function summaryTable(
  jobs: JobState[],
  calls: Map<string, number>,
  stats: KillStats,
  plan: KillPlan,
): string {
  const rerun = jobs.filter((job) => job.attempts > 1).length;
  const maxAttempts = jobs.reduce((most, job) => Math.max(most, job.attempts), 0);
  const totalCalls = [...calls.values()].reduce((sum, n) => sum + n, 0);
  return markdownTable([
    "jobs",
    "worker runs",
    "SIGKILLs",
    "lease",
    "provider calls",
    "jobs run again",
    "max attempts",
    "drain time",
  ], [[
    jobs.length,
    stats.runs,
    stats.kills,
    `${plan.leaseSeconds} s`,
    totalCalls,
    rerun,
    maxAttempts,
    `${(stats.durationMs / 1000).toFixed(1)} s`,
  ]]);
}

/** Runs the fault with `count` jobs and prints its tables; true when every check passed. */
export async function workerKillsFault(count: number, plan = KILL_DEFAULTS): Promise<boolean> {
  const sql = db();
  const fake = startFakeImages();
  const resume = await pauseWorkerWakeUps(sql);
  try {
    const user = await signUpUser("Faults Proof Drain");
    await giveImageProvider(sql, user.id, fake.baseUrl);
    await installCompletionsAudit(sql);
    await enqueue(sql, user.id, count);
    const stats = await drainWhileKilling(plan, remainingFor(sql, user.id));
    const jobs = await jobStates(sql, user.id);
    const calls = callsPerPrompt(fake);
    console.log(`\n${summaryTable(jobs, calls, stats, plan)}`);
    const results = checks(jobs, await completionsPerJob(sql, user.id), calls);
    if (!stats.finished) {
      results.push({ check: "drain finished in time", ok: false, detail: `${plan.deadlineMs} ms` });
    }
    return printChecks(`Fault: worker killed repeatedly during a ${count}-job drain`, results);
  } finally {
    await dropCompletionsAudit(sql);
    await resume();
    await fake.close();
    await sql.end();
  }
}
