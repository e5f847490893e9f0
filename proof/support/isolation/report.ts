/**
 * The proof's summary: one table row per check (what was tried, how many failed), the failures'
 * details, and the scan's counts.
 * @module
 */
import type { ScanOutcome } from "./secrets_scan.ts";

export interface CheckRow {
  check: string;
  tried: number;
  failures: string[];
}

function table(header: string[], rows: (string | number)[][]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => `${row[column]}`.length))
  );
  const line = (cells: (string | number)[]) =>
    `| ${cells.map((cell, i) => `${cell}`.padEnd(widths[i])).join(" | ")} |`;
  return [line(header), `|${widths.map((width) => "-".repeat(width + 2)).join("|")}|`, ...rows.map(line)]
    .join("\n");
}

export function printReport(checks: CheckRow[], scan: ScanOutcome): boolean {
  console.log(
    table(["check", "tried", "failures"], checks.map((row) => [row.check, row.tried, row.failures.length])),
  );
  console.log();
  console.log(`secrets scan: ${scan.responses} responses, ${scan.logBytes} bytes of stack log`);
  console.log(table(
    ["secret", "values", "hits in responses", "hits in log"],
    scan.rows.map((row) => [row.kind, row.values, row.hitsInResponses, row.hitsInLog]),
  ));
  const failures = checks.flatMap((row) => row.failures.map((failure) => `${row.check}: ${failure}`));
  const scanHits = scan.rows.filter((row) => row.hitsInResponses + row.hitsInLog > 0);
  for (const failure of failures) console.log(`FAIL ${failure}`);
  for (const row of scanHits) console.log(`FAIL secret found: ${row.kind}`);
  const passed = failures.length === 0 && scanHits.length === 0;
  console.log(passed ? "\nisolation proof: PASS" : "\nisolation proof: FAIL");
  return passed;
}
