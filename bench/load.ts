/**
 * Load (issue 9): authenticated mixed traffic — list chats, get a chat, post a message answered by
 * a fake provider, list models — at rising concurrency, then a soak at 80% of the peak throughput
 * (the ratio against a bare endpoint is bench/chats-ratio.ts). The load tool is autocannon (npm), run in-process. Prints throughput, p50/p99, errors and
 * Postgres connections per step, and connections and the api function's RSS through the soak.
 *
 * Usage (a running local stack, SUPABASE_* set; STACK_STATE_DIR if not the default):
 *   deno run -A bench/load.ts [--soak-seconds 300] [--step-seconds 10] [--steps 1,4,16,64]
 * Exits 1 when the soak saw an error.
 * @module
 */
import { parseArgs } from "node:util";
import { env } from "../tests/helpers/env.ts";
import { type CannonResult, runCannon } from "./support/cannon.ts";
import { loadAccount } from "./support/load-setup.ts";
import { printSoak, printSteps, type SoakSample, type StepRow } from "./support/load-report.ts";
import { apiFunctionPid, connectionSampler, rssMiB } from "./support/probes.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    "soak-seconds": { type: "string", default: "300" },
    "step-seconds": { type: "string", default: "10" },
    steps: { type: "string", default: "1,4,16,64" },
  },
});
const soakSeconds = Number(values["soak-seconds"]);
const stepSeconds = Number(values["step-seconds"]);
const steps = values.steps.split(",").map(Number);
const stateDir = Deno.env.get("STACK_STATE_DIR") ?? new URL("../.stack", import.meta.url).pathname;
const origin = new URL(env.url).origin;
if (!["127.0.0.1", "localhost"].includes(new URL(origin).hostname)) throw new Error(`not local: ${origin}`);

await using account = await loadAccount();
const connections = connectionSampler(env.dbUrl);
const headers = { authorization: `Bearer ${account.token}` };
const mixed = (connectionCount: number, seconds: number, rate?: number) =>
  runCannon({ origin, headers, requests: account.requests, connections: connectionCount, seconds, rate });

async function risingSteps(): Promise<StepRow[]> {
  await mixed(4, 2); // warm-up
  const rows: StepRow[] = [];
  for (const count of steps) {
    await account.renewPostChats();
    connections.start();
    const result = await mixed(count, stepSeconds);
    rows.push({ result, pgConnections: connections.stop() });
  }
  return rows;
}

async function soak(peak: CannonResult): Promise<{ result: CannonResult; samples: SoakSample[] }> {
  const pid = await apiFunctionPid(stateDir);
  const everyMs = Math.max(2, Math.round(soakSeconds / 10)) * 1000;
  const samples: SoakSample[] = [];
  const started = performance.now();
  const takeSample = async () => {
    const sample = {
      second: Math.round((performance.now() - started) / 1000),
      pgConnections: await connections.sample(),
      rssMiB: await rssMiB(pid),
    };
    samples.push(sample);
    console.log(
      `  soak t=${sample.second}s pg connections ${sample.pgConnections}, api RSS ${
        sample.rssMiB.toFixed(1)
      } MiB`,
    );
    await account.renewPostChats();
  };
  await takeSample();
  const timer = setInterval(() => void takeSample(), everyMs);
  const result = await mixed(peak.connections, soakSeconds, Math.round(peak.perSecond * 0.8));
  clearInterval(timer);
  const lastSecond = Math.round((performance.now() - started) / 1000);
  if (samples.at(-1)!.second < lastSecond) await takeSample();
  return { result, samples };
}

try {
  console.log(
    `mixed traffic: ${account.requests.map((r) => r.method).join(", ")} per cycle, ${stepSeconds} s per step`,
  );
  const rows = await risingSteps();
  printSteps(rows);
  const peak = rows.reduce((best, row) => row.result.perSecond > best.result.perSecond ? row : best).result;
  console.log(
    `\nsoak: ${soakSeconds} s at 80% of the peak (${
      Math.round(peak.perSecond * 0.8)
    } req/s, ${peak.connections} connections)`,
  );
  const soaked = await soak(peak);
  printSoak(soaked.result, soaked.samples);
  if (soaked.result.errors > 0) Deno.exitCode = 1;
} finally {
  await connections.close();
}
