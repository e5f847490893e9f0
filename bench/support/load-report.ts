/**
 * The tables bench/load.ts prints (markdown, as kept in bench/README.md).
 * @module
 */
import type { CannonResult } from "./cannon.ts";

export interface StepRow {
  result: CannonResult;
  /** pg_stat_activity counts sampled during the step. */
  pgConnections: number[];
}

export interface SoakSample {
  second: number;
  pgConnections: number;
  rssMiB: number;
}

export const ms = (value: number) => value.toFixed(0);
const range = (values: number[]) =>
  values.length === 0 ? "-" : `${Math.min(...values)}–${Math.max(...values)}`;

export function printSteps(rows: StepRow[]): void {
  console.log("\n| connections | requests/s | p50 ms | p99 ms | errors | pg connections |");
  console.log("|---|---|---|---|---|---|");
  for (const { result, pgConnections } of rows) {
    console.log(
      `| ${result.connections} | ${result.perSecond.toFixed(0)} | ${ms(result.p50)} | ${ms(result.p99)} | ` +
        `${result.errors} | ${range(pgConnections)} |`,
    );
  }
  printStatuses(rows.map((row) => row.result));
}

export function printSoak(result: CannonResult, samples: SoakSample[]): void {
  console.log("\n| soak | requests | requests/s | p50 ms | p99 ms | errors | pg connections | api RSS MiB |");
  console.log("|---|---|---|---|---|---|---|---|");
  const rss = samples.map((s) => s.rssMiB);
  console.log(
    `| ${result.connections} connections | ${result.requests} | ${result.perSecond.toFixed(0)} | ` +
      `${ms(result.p50)} | ${ms(result.p99)} | ${result.errors} | ${
        range(samples.map((s) => s.pgConnections))
      } | ` +
      `${Math.min(...rss).toFixed(0)}–${Math.max(...rss).toFixed(0)} |`,
  );
  printStatuses([result]);
  const [first, last] = [samples[0], samples.at(-1)!];
  console.log(
    `soak drift: pg connections ${first.pgConnections} → ${last.pgConnections}, ` +
      `api RSS ${first.rssMiB.toFixed(1)} → ${
        last.rssMiB.toFixed(1)
      } MiB; errors ${result.errors} (expected 0)`,
  );
}

/** The answers by status of every result that had errors (to tell a 401 from a 503). */
export function printStatuses(results: CannonResult[]): void {
  for (const r of results.filter((r) => r.errors > 0)) {
    console.log(`errors at ${r.connections} connections: statuses ${JSON.stringify(r.statuses)}`);
  }
}
