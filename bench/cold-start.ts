/**
 * Cold start of the `api` function on the hosted runtime's Deno (2.1.4) with the runtime's
 * permissions and memory limit, beside the tooling's Deno (2.9, all permissions) as the baseline:
 * spawn → first 200 of `/api/health`, and spawn → first 200 of an authenticated `GET /v1/chats`
 * (median, min and max of N fresh processes each); then RSS and V8 heap after boot and after
 * 10,000 authenticated `GET /v1/chats` (16 at a time). Needs a running stack (SUPABASE_* set).
 *
 *   deno run -A bench/cold-start.ts [runs=10] [requests=10000]
 * @module
 */
import { join } from "node:path";
import { loadConfig } from "../stack/config.ts";
import { EDGE_DENO, permissionFlags } from "../stack/functions/edge-runtime.ts";
import { freePort } from "../stack/process.ts";
import { call, signUpUser } from "../tests/helpers/api.ts";
import { functionSettings } from "./support/function-settings.ts";

const runs = Number(Deno.args[0] ?? 10);
const requests = Number(Deno.args[1] ?? 10_000);
const config = loadConfig();
const root = config.root;
const entry = join(root, "bench", "support", "measured-api.ts");
const importMap = join(root, "supabase", "functions", "deno.json");

interface Runtime {
  name: string;
  command: (port: number) => { binary: string; args: string[] };
}

const RUNTIMES: Runtime[] = [
  {
    name: "Deno 2.1.4, runtime permissions",
    // The function's own files: the entry stands in for supabase/functions/api/index.ts.
    command: (port) => ({
      binary: EDGE_DENO,
      args: ["run", ...permissionFlags(root), "--config", importMap, entry, String(port)],
    }),
  },
  {
    name: "Deno 2.9 -A (baseline)",
    command: (port) => ({
      binary: Deno.execPath(),
      args: ["run", "-A", "--config", join(root, "deno.json"), entry, String(port)],
    }),
  },
];

interface Booted {
  port: number;
  process: Deno.ChildProcess;
  /** Spawn → first 200 of `path`, ms. */
  firstOkMs: number;
}

async function boot(runtime: Runtime, path: string, headers: HeadersInit = {}): Promise<Booted> {
  const port = freePort();
  const { binary, args } = runtime.command(port);
  const started = performance.now();
  const process = new Deno.Command(binary, {
    args,
    cwd: root,
    clearEnv: true,
    env: functionSettings(config),
    stdout: "null",
    stderr: "null",
  }).spawn();
  while (performance.now() - started < 30_000) {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers }).catch(() => null);
    await response?.body?.cancel();
    if (response?.status === 200) return { port, process, firstOkMs: performance.now() - started };
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
  process.kill("SIGKILL");
  throw new Error(`${runtime.name}: no 200 from ${path} within 30 s`);
}

async function stop(booted: Booted) {
  booted.process.kill("SIGKILL");
  await booted.process.status;
}

async function memory(booted: Booted) {
  const status = await Deno.readTextFile(`/proc/${booted.process.pid}/status`);
  const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  const usage = await (await fetch(`http://127.0.0.1:${booted.port}/__memory`)).json();
  return {
    rssMb: rssKb / 1024,
    heapUsedMb: usage.heapUsed / 2 ** 20,
    heapTotalMb: usage.heapTotal / 2 ** 20,
  };
}

async function load(booted: Booted, headers: HeadersInit) {
  let next = 0;
  const worker = async () => {
    while (next++ < requests) {
      const response = await fetch(`http://127.0.0.1:${booted.port}/api/v1/chats`, { headers });
      await response.body?.cancel();
      if (response.status !== 200) throw new Error(`GET /v1/chats answered ${response.status}`);
    }
  };
  await Promise.all(Array.from({ length: 16 }, worker));
}

const stats = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return { median: sorted[Math.floor(sorted.length / 2)], min: sorted[0], max: sorted.at(-1)! };
};
const ms = (value: number) => `${Math.round(value)} ms`;
const mb = (value: number) => `${value.toFixed(0)} MB`;

const user = await signUpUser("Cold Start Bench");
for (let i = 0; i < 20; i++) {
  await call("/v1/chats", { method: "POST", token: user.token, body: { title: `chat ${i}` } });
}
const auth = { authorization: `Bearer ${user.token}` };

const rows: string[] = [];
const memoryRows: string[] = [];
const medians: Record<string, [number, number]> = {};
for (const runtime of RUNTIMES) {
  const health: number[] = [];
  const chats: number[] = [];
  for (let i = 0; i < runs; i++) {
    const a = await boot(runtime, "/api/health");
    health.push(a.firstOkMs);
    await stop(a);
    const b = await boot(runtime, "/api/v1/chats", auth);
    chats.push(b.firstOkMs);
    await stop(b);
  }
  const [h, c] = [stats(health), stats(chats)];
  medians[runtime.name] = [h.median, c.median];
  rows.push(
    `| ${runtime.name} | ${ms(h.median)} (${ms(h.min)}–${ms(h.max)}) | ${ms(c.median)} (${ms(c.min)}–${
      ms(c.max)
    }) |`,
  );
  const booted = await boot(runtime, "/api/v1/chats", auth);
  const afterBoot = await memory(booted);
  const started = performance.now();
  await load(booted, auth);
  const seconds = (performance.now() - started) / 1000;
  const afterLoad = await memory(booted);
  await stop(booted);
  memoryRows.push(
    `| ${runtime.name} | ${mb(afterBoot.rssMb)} / ${mb(afterBoot.heapUsedMb)} | ${mb(afterLoad.rssMb)} / ${
      mb(afterLoad.heapUsedMb)
    } | ${Math.round(requests / seconds)} req/s |`,
  );
}

const [edge, baseline] = RUNTIMES.map((runtime) => medians[runtime.name]);
console.log(`\napi cold start: spawn → first 200, median (min–max) of ${runs} fresh processes each\n`);
console.log("| runtime | `/api/health` | authenticated `GET /v1/chats` |\n| --- | ---: | ---: |");
for (const row of rows) console.log(row);
console.log(
  `\nruntime / baseline: ${(edge[0] / baseline[0]).toFixed(2)}× (health), ${
    (edge[1] / baseline[1]).toFixed(2)
  }× (chats)`,
);
console.log(`\nmemory: RSS / V8 heap used, after boot and after ${requests} GET /v1/chats (16 at a time)\n`);
console.log("| runtime | after boot | after load | throughput |\n| --- | ---: | ---: | ---: |");
for (const row of memoryRows) console.log(row);
