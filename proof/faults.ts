/**
 * The faults proof (issue 9): Postgres restarted under load, the worker killed repeatedly during a
 * drain, and provider faults during streaming. Each fault prints its tables and checks.
 *
 * Usage (a running local stack, SUPABASE_* and STACK_* set):
 *   deno run -A proof/faults.ts [--jobs 2000] [--only restart,kills,stream]
 * Exits 1 when any check failed.
 * @module
 */
import { parseArgs } from "node:util";
import { postgresRestartFault } from "./support/faults/pg-restart.ts";
import { streamFaults } from "./support/faults/stream-faults.ts";
import { workerKillsFault } from "./support/faults/worker-kills.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    jobs: { type: "string", default: "2000" },
    only: { type: "string", default: "restart,kills,stream" },
  },
});
const only = new Set(values.only.split(","));

async function main(): Promise<boolean> {
  const results: boolean[] = [];
  if (only.has("restart")) results.push(await postgresRestartFault());
  if (only.has("kills")) results.push(await workerKillsFault(Number(values.jobs)));
  if (only.has("stream")) results.push(await streamFaults());
  return results.every(Boolean);
}

if (import.meta.main) Deno.exit(await main() ? 0 : 1);
