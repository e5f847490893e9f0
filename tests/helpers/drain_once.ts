/**
 * One worker run in its own process (so a test can kill it mid-batch): drains the queue with the
 * settings from the environment (WORKER_LEASE_SECONDS, WORKER_BUDGET_MS, ...) and prints the summary.
 *
 * Usage: deno run -A tests/helpers/drain_once.ts
 * @module
 */
import { sql } from "../../shared/db/client.ts";
import { drainQueue } from "../../shared/jobs/drain.ts";
import { jobsConfig } from "../../shared/jobs/config.ts";

console.log("draining");
const summary = await drainQueue({ config: jobsConfig().worker });
console.log(JSON.stringify(summary));
await sql().end();
