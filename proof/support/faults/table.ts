/**
 * The faults proof's output: a markdown table per fault (ready for bench/README.md) and the checks
 * that decide the exit code.
 * @module
 */

export interface Check {
  check: string;
  ok: boolean;
  detail: string;
}

export function markdownTable(headers: string[], rows: (string | number)[][]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), line(headers.map(() => "---")), ...rows.map(line)].join("\n");
}

/** Prints the checks as a table; true when every one passed. */
export function printChecks(title: string, checks: Check[]): boolean {
  console.log(`\n${title}\n`);
  console.log(markdownTable(
    ["check", "result", "detail"],
    checks.map((c) => [c.check, c.ok ? "ok" : "FAIL", c.detail]),
  ));
  return checks.every((c) => c.ok);
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
