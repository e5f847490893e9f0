/**
 * One worker run in its own process (so a test can kill it mid-batch): drains the queue with the
 * settings from the environment (WORKER_LEASE_SECONDS, WORKER_BUDGET_MS, ...) and prints the summary.
 * MAKE_DUE names parked jobs (comma-separated ids) to make due right before the claim (and first in
 * line), so that the stack's own worker, woken by other tests, has no time to take them first. Private destinations
 * are allowed (the fakes listen on 127.0.0.1) unless ALLOW_PRIVATE_DESTINATIONS=false.
 *
 * Usage: deno run -A tests/helpers/drain_once.ts
 * @module
 */
import { autocommit, database } from "../../shared/db/client.ts";
import { workerConfig } from "../../shared/queue/config.ts";
import { setDestinationPolicy } from "../../shared/llm/destinations.ts";
import { drainJobs } from "../../shared/worker.ts";
import { DUE_LONG_AGO } from "./jobs.ts";

setDestinationPolicy({ allowPrivate: Deno.env.get("ALLOW_PRIVATE_DESTINATIONS") !== "false" });

const due = Deno.env.get("MAKE_DUE")?.split(",").filter(Boolean) ?? [];
if (due.length) {
  await autocommit((connection) =>
    connection`update public.jobs set run_after = ${DUE_LONG_AGO} where id in ${connection(due)}`
  );
}
console.log("draining");
const summary = await drainJobs({ config: workerConfig() });
console.log(JSON.stringify(summary));
await database().end();
