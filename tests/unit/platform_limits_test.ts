/**
 * The settings stay inside the edge runtime's limits (PLATFORM.md §8, README "Platform limits"):
 * the worker's default drain ends well within the free plan's 150 s wall clock and no budget
 * outlasts a paid plan's 400 s; one invocation claims a bounded number of jobs (its CPU time adds up
 * over them, 2 s per request); a streamed reply's heartbeat comes well before the gateway's 150 s
 * idle timeout.
 */
import assert from "node:assert/strict";
import { MAX_HEARTBEAT_SECONDS, parseConfig, REQUEST_IDLE_TIMEOUT_SECONDS } from "../../shared/config/env.ts";
import {
  DEFAULT_BUDGET_MS,
  DEFAULT_MAX_JOBS,
  MAX_BUDGET_MS,
  parseWorkerConfig,
  WALL_CLOCK_MARGIN_MS,
  WALL_CLOCK_MS,
} from "../../shared/queue/config.ts";

const base = {
  SUPABASE_URL: "http://127.0.0.1:54321",
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
  SUPABASE_ANON_KEY: "anon",
};

Deno.test("the limits are the platform's documented ones", () => {
  assert.deepEqual(WALL_CLOCK_MS, { free: 150_000, paid: 400_000 });
  assert.equal(REQUEST_IDLE_TIMEOUT_SECONDS, 150);
});

Deno.test("the worker's default drain ends well within the free plan's wall clock", () => {
  const defaults = parseWorkerConfig({});
  assert.equal(defaults.budgetMs, DEFAULT_BUDGET_MS);
  assert.ok(defaults.budgetMs + WALL_CLOCK_MARGIN_MS <= WALL_CLOCK_MS.free - 30_000, "30 s or more to spare");
  assert.ok(defaults.jobTimeoutMs <= defaults.budgetMs, "one job fits in the default budget");
  assert.ok(defaults.leaseSeconds * 1000 > defaults.budgetMs, "the lease outlives the invocation");
});

Deno.test("no worker budget or job timeout outlasts a paid plan's wall clock", () => {
  assert.equal(MAX_BUDGET_MS, WALL_CLOCK_MS.paid - WALL_CLOCK_MARGIN_MS);
  assert.equal(parseWorkerConfig({ WORKER_BUDGET_MS: String(MAX_BUDGET_MS) }).budgetMs, 390_000);
  for (const name of ["WORKER_BUDGET_MS", "WORKER_IMAGE_TIMEOUT_MS", "WORKER_MIN_JOB_MS"]) {
    assert.throws(
      () => parseWorkerConfig({ [name]: String(MAX_BUDGET_MS + 1) }),
      new RegExp(
        `${name} must be at most 390000 ms: a paid plan's wall clock is 400 s, the free plan's 150 s`,
      ),
    );
  }
  // A free-plan budget: the largest that leaves the margin inside 150 s.
  const free = parseWorkerConfig({ WORKER_BUDGET_MS: String(WALL_CLOCK_MS.free - WALL_CLOCK_MARGIN_MS) });
  assert.equal(free.budgetMs, 140_000);
});

Deno.test("one invocation claims at most WORKER_MAX_JOBS jobs (default 16)", () => {
  assert.equal(parseWorkerConfig({}).maxJobs, DEFAULT_MAX_JOBS);
  assert.equal(DEFAULT_MAX_JOBS, 16);
  // ~62 ms of CPU per job with one 3 MB image (bench/function-cpu.ts): the default stays near 1 s.
  assert.ok(DEFAULT_MAX_JOBS * 62 <= 1_000);
  assert.equal(parseWorkerConfig({ WORKER_MAX_JOBS: "100" }).maxJobs, 100);
  assert.throws(() => parseWorkerConfig({ WORKER_MAX_JOBS: "0" }), /WORKER_MAX_JOBS/);
});

Deno.test("a streamed reply's heartbeat comes well before the gateway's idle timeout", () => {
  assert.ok(MAX_HEARTBEAT_SECONDS < REQUEST_IDLE_TIMEOUT_SECONDS);
  assert.equal(parseConfig(base).streamHeartbeatMs, 15_000);
  const longest = parseConfig({ ...base, CHAT_STREAM_HEARTBEAT_SECONDS: String(MAX_HEARTBEAT_SECONDS) });
  assert.equal(longest.streamHeartbeatMs, 120_000);
  for (const value of ["121", "150", "300"]) {
    assert.throws(
      () => parseConfig({ ...base, CHAT_STREAM_HEARTBEAT_SECONDS: value }),
      /CHAT_STREAM_HEARTBEAT_SECONDS must be at most 120 \(the gateway ends a request silent for 150 s\)/,
    );
  }
  assert.throws(() => parseConfig({ ...base, CHAT_STREAM_HEARTBEAT_SECONDS: "0" }), /CHAT_STREAM_HEARTBEAT/);
});
