/**
 * Fault 1: Postgres restarted under load. Clients keep calling `GET /api/health` and
 * `GET /api/v1/users/profile` while the stack's Postgres is stopped (fast shutdown), kept down for
 * a moment, and started again. The API must answer every request (no hang), with 503 while the
 * database is away (never another 5xx), and serve 200s again by itself once it is back.
 * @module
 */
import { loadConfig } from "../../../stack/config.ts";
import { startPostgres, stopPostgres } from "../../../stack/postgres.ts";
import { apiUrl, signUpUser } from "../../../tests/helpers/api.ts";
import { loadUntil, type Sample } from "./outage-load.ts";
import { type Check, markdownTable, printChecks, sleep } from "./table.ts";

export interface RestartOptions {
  baselineMs: number;
  downMs: number;
  afterMs: number;
  timeoutMs: number;
}

export const RESTART_DEFAULTS: RestartOptions = {
  baselineMs: 3_000,
  downMs: 3_000,
  afterMs: 12_000,
  timeoutMs: 10_000,
};

interface Timeline {
  downAt: number;
  upAt: number;
  samples: Sample[];
}

async function restartUnderLoad(token: string, options: RestartOptions): Promise<Timeline> {
  const config = loadConfig();
  let finish = () => {};
  const stop = new Promise<void>((resolve) => finish = resolve);
  const { started, done } = loadUntil(
    [
      { route: "health", clients: 2, send: (signal) => fetch(`${apiUrl}/health`, { signal }) },
      {
        route: "profile",
        clients: 4,
        send: (signal) =>
          fetch(`${apiUrl}/v1/users/profile`, { signal, headers: { authorization: `Bearer ${token}` } }),
      },
    ],
    stop,
    options.timeoutMs,
  );
  await sleep(options.baselineMs);
  const downAt = performance.now() - started;
  await stopPostgres(config);
  await sleep(options.downMs);
  await startPostgres(config);
  const upAt = performance.now() - started;
  await sleep(options.afterMs);
  finish();
  return { downAt, upAt, samples: await done };
}

const label = (s: Sample) => s.code ? `${s.outcome} ${s.code}` : String(s.outcome);

function phaseOf(t: Timeline, s: Sample): string {
  if (s.at < t.downAt) return "before";
  return s.at < t.upAt ? "down" : "after restart";
}

/** Counts of each outcome per route and phase. */
function outcomeTable(t: Timeline): string {
  const counts = new Map<string, number>();
  for (const s of t.samples) {
    const key = `${s.route}\t${phaseOf(t, s)}\t${label(s)}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const rows = [...counts].map(([key, n]) => [...key.split("\t"), n]);
  return markdownTable(["route", "phase", "answer", "count"], rows);
}

/** Answers per second around the outage (seconds from the stop), errors by status. */
function timelineTable(t: Timeline): string {
  const buckets = new Map<number, Map<string, number>>();
  for (const s of t.samples) {
    const second = Math.floor((s.at - t.downAt) / 1000);
    const bucket = buckets.get(second) ?? new Map<string, number>();
    const key = `${s.route} ${label(s)}`;
    bucket.set(key, (bucket.get(key) ?? 0) + 1);
    buckets.set(second, bucket);
  }
  const rows = [...buckets].sort(([a], [b]) => a - b).map(([second, bucket]) => [
    `${second}s`,
    [...bucket].map(([key, n]) => `${key} ×${n}`).join(", "),
  ]);
  return markdownTable(["seconds after the stop", "answers"], rows);
}

/** Milliseconds from Postgres being back to the first 200 after which the route only answers 200. */
function recoveryMs(t: Timeline, route: string): number | undefined {
  const mine = t.samples.filter((s) => s.route === route).sort((a, b) => a.at - b.at);
  const lastBad = mine.findLastIndex((s) => s.outcome !== 200);
  if (lastBad === mine.length - 1) return undefined;
  const firstGood = mine[lastBad + 1];
  return Math.max(0, firstGood.at + firstGood.latencyMs - t.upAt);
}

function checks(t: Timeline, timeoutMs: number): Check[] {
  const during = t.samples.filter((s) => s.at >= t.downAt && s.at < t.upAt);
  const errors = t.samples.filter((s) => s.outcome !== 200);
  const unclean = errors.filter((s) => s.outcome !== 503);
  const slowest = t.samples.reduce((most, s) => Math.max(most, s.latencyMs), 0);
  const recovery = ["health", "profile"].map((route) => [route, recoveryMs(t, route)] as const);
  return [
    {
      check: "requests answered (none hung)",
      ok: slowest < timeoutMs,
      detail: `${t.samples.length} requests, slowest ${slowest.toFixed(0)} ms (limit ${timeoutMs} ms)`,
    },
    {
      check: "errors were 503 (no other 5xx, no dropped connection)",
      ok: unclean.length === 0,
      detail: `${errors.length} errors, ${unclean.length} not 503: ${
        [...new Set(unclean.map(label))].join(", ") || "none"
      }`,
    },
    {
      check: "health answered 503 while Postgres was down",
      ok: during.some((s) => s.route === "health" && s.outcome === 503),
      detail: `${during.filter((s) => s.route === "health" && s.outcome === 503).length} of ${
        during.filter((s) => s.route === "health").length
      }`,
    },
    ...recovery.map(([route, ms]) => ({
      check: `${route} recovered without an API restart`,
      ok: ms !== undefined,
      detail: ms === undefined
        ? "still failing at the end"
        : `only 200s from ${(ms / 1000).toFixed(2)} s after Postgres was back`,
    })),
  ];
}

/** Runs the fault and prints its tables; true when every check passed. */
export async function postgresRestartFault(options = RESTART_DEFAULTS): Promise<boolean> {
  const user = await signUpUser("Faults Proof");
  const t = await restartUnderLoad(user.token, options);
  console.log(
    `\nPostgres stopped at ${(t.downAt / 1000).toFixed(1)} s, back at ${
      (t.upAt / 1000).toFixed(1)
    } s of the load\n`,
  );
  console.log(outcomeTable(t));
  console.log(`\n${timelineTable(t)}`);
  return printChecks("Fault: Postgres restarted under load", checks(t, options.timeoutMs));
}
