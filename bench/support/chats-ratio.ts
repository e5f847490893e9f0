/**
 * The ratio of bench/load.ts: authenticated `GET /api/v1/chats` (token check, RLS transaction,
 * OpenAPI app), through the local gateway and from the api function directly, against
 * bench/support/bare-profile-server.ts running the same query bare, with the API's timestamp
 * reading, and inside the same RLS transaction. They alternate for `rounds` rounds so that a
 * neighbour's load on the machine falls on all of them alike. With a pooler URL, the same bare server
 * also runs as the function does (its Deno, through the pooler, no prepared statements: see
 * ./bare-server.ts), the like-for-like baseline for what the app itself costs.
 * @module
 */
import { startApiFunction } from "./api-function.ts";
import { startBareServer } from "./bare-server.ts";
import { type CannonResult, runCannon } from "./cannon.ts";
import { ms, printStatuses } from "./load-report.ts";

export interface RatioOptions {
  origin: string;
  dbUrl: string;
  /** The stack's pooler (DB_POOLER_URL), which the functions reach Postgres through. */
  poolerUrl?: string;
  token: string;
  userId: string;
  connections: number;
  seconds: number;
  rounds?: number;
}

export const GATEWAY = "api through the gateway";
export const FUNCTION = "api function, no gateway";
export const BARE = "bare Hono + postgres.js";
export const BARE_TEXT_TIMES = "bare, timestamps as text";
export const BARE_AS_FUNCTION = "bare as the function runs (Deno 2.1.4, pooler)";
export const BARE_AS_FUNCTION_RLS = "bare as the function runs, + RLS transaction";

export interface RatioRow {
  name: string;
  result: CannonResult;
}

export async function chatsRatio(options: RatioOptions): Promise<RatioRow[]> {
  await using bare = await startBareServer(options.dbUrl);
  await using bareAsFunction = options.poolerUrl
    ? await startBareServer(options.dbUrl, { poolerUrl: options.poolerUrl })
    : undefined;
  await using api = await startApiFunction();
  const auth = { authorization: `Bearer ${options.token}` };
  const user = options.userId;
  const targets = [
    { name: GATEWAY, origin: options.origin, path: "/functions/v1/api/v1/chats", headers: auth },
    { name: FUNCTION, origin: api.url, path: "/api/v1/chats", headers: auth },
    { name: "bare + RLS transaction", origin: bare.url, path: `/chats-rls/${user}`, headers: {} },
    { name: BARE_TEXT_TIMES, origin: bare.url, path: `/chats-text-times/${user}`, headers: {} },
    { name: BARE, origin: bare.url, path: `/chats/${user}`, headers: {} },
    ...bareAsFunction
      ? [
        { name: BARE_AS_FUNCTION_RLS, origin: bareAsFunction.url, path: `/chats-rls/${user}`, headers: {} },
        { name: BARE_AS_FUNCTION, origin: bareAsFunction.url, path: `/chats/${user}`, headers: {} },
      ]
      : [],
  ];
  const run = (target: typeof targets[number], seconds: number) =>
    runCannon({
      origin: target.origin,
      headers: target.headers,
      requests: [{ method: "GET", path: target.path }],
      connections: options.connections,
      seconds,
    });
  for (const target of targets) await run(target, 1); // warm every path
  const results: CannonResult[][] = targets.map(() => []);
  for (let round = 0; round < (options.rounds ?? 3); round++) {
    for (const [i, target] of targets.entries()) results[i].push(await run(target, options.seconds));
  }
  return targets.map((target, i) => ({ name: target.name, result: combine(results[i]) }));
}

/** Rounds of one target as one result: summed counts, the worst round's percentiles. */
function combine(rounds: CannonResult[]): CannonResult {
  const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
  const seconds = rounds.reduce((sum, r) => sum + r.requests / r.perSecond, 0);
  const statuses: Record<string, number> = {};
  for (const r of rounds) {
    for (const [code, count] of Object.entries(r.statuses)) statuses[code] = (statuses[code] ?? 0) + count;
  }
  return {
    connections: rounds[0].connections,
    requests,
    perSecond: requests / seconds,
    p50: Math.max(...rounds.map((r) => r.p50)),
    p99: Math.max(...rounds.map((r) => r.p99)),
    errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    statuses,
  };
}

export function printRatio(rows: RatioRow[], seconds: number, rounds: number): void {
  console.log(
    `\nGET chats, ${
      rows[0].result.connections
    } connections, ${rounds} rounds of ${seconds} s each, alternating`,
  );
  console.log("\n| endpoint | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|");
  for (const { name, result: r } of rows) {
    console.log(`| ${name} | ${r.perSecond.toFixed(0)} | ${ms(r.p50)} | ${ms(r.p99)} | ${r.errors} |`);
  }
  printStatuses(rows.map((row) => row.result));
  const rate = (name: string) => rows.find((row) => row.name === name)!.result.perSecond;
  console.log("");
  const asFunction = rows.some((row) => row.name === BARE_AS_FUNCTION);
  for (const api of [GATEWAY, FUNCTION]) {
    const ratio = rate(api) / rate(BARE);
    const textTimes = rate(api) / rate(BARE_TEXT_TIMES);
    console.log(
      `${api} / bare: ${ratio.toFixed(2)}x (goal ≥ 0.6x: ${ratio >= 0.6 ? "met" : "missed"}); ` +
        `/ bare with timestamps as text: ${textTimes.toFixed(2)}x` +
        (asFunction
          ? `; / bare as the function runs: ${(rate(api) / rate(BARE_AS_FUNCTION)).toFixed(2)}x`
          : ""),
    );
  }
}
