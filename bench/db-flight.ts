/**
 * What one flight to Postgres costs in time, through the stack's pooler, on the hosted runtime's Deno
 * (2.1.4) and on the bench's own, with Node's `setImmediate` as each runtime has it and with the prompt
 * one the functions install (shared/db/prompt-writes.ts: postgres.js flushes each flight's writes with
 * it). Each case runs in a fresh process, in turn, with one postgres.js client as the functions
 * configure it behind a pooler: a bare `select 1`, and `begin`, `select 1` and `commit` pipelined (a
 * one-statement read's shape); sequential, medians of 300 after 30 to warm up.
 *
 * Usage (a running local stack, SUPABASE_* and DB_POOLER_URL set):
 *   deno run -A bench/db-flight.ts
 * @module
 */
import { join } from "node:path";
import { ROOT } from "../stack/config.ts";
import { EDGE_DENO, EDGE_DENO_ENV } from "../stack/functions/edge-runtime.ts";

/** The measuring side, a process per case (it imports only what the functions' import map resolves). */
const CHILD = new URL("./support/db-flight-child.ts", import.meta.url).pathname;

async function run(deno: string, prompt: boolean): Promise<{ select: number; read: number }> {
  const args = ["run", "-A", "--config", join(ROOT, "supabase", "functions", "deno.json")];
  const output = await new Deno.Command(deno, {
    args: [...args, CHILD, prompt ? "prompt" : "runtime"],
    env: EDGE_DENO_ENV,
    stderr: "inherit",
  }).output();
  if (!output.success) throw new Error(`the ${deno} child failed`);
  return JSON.parse(new TextDecoder().decode(output.stdout).trim().split("\n").at(-1)!);
}

if (!Deno.env.get("DB_POOLER_URL")) {
  console.log("DB_POOLER_URL is not set (a stack without its pooler): nothing to measure.");
  Deno.exit(0);
}
const runtimes = [["Deno 2.1.4 (hosted runtime)", EDGE_DENO], [
  `Deno ${Deno.version.deno} (bench)`,
  Deno.execPath(),
]];
console.log("one flight through the pooler, sequential, median of 300 (ms)\n");
console.log("| runtime | setImmediate | `select 1` | `begin`, `select 1`, `commit` pipelined |");
console.log("| --- | --- | ---: | ---: |");
for (const [name, deno] of runtimes) {
  const runtime = await run(deno, false);
  const prompt = await run(deno, true);
  const row = (kind: string, f: { select: number; read: number }) =>
    `| ${name} | ${kind} | ${f.select.toFixed(3)} | ${f.read.toFixed(3)} |`;
  console.log(row("the runtime's", runtime));
  console.log(row("prompt (shared/db/prompt-writes.ts)", prompt));
  console.log(
    `| ${name} | runtime's / prompt | ${(runtime.select / prompt.select).toFixed(1)}× | ` +
      `${(runtime.read / prompt.read).toFixed(1)}× |`,
  );
}
