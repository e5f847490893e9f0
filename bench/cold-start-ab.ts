/**
 * Cold start of several checkouts of the `api` function side by side: the same boots as
 * bench/cold-start.ts (Deno 2.1.4, the runtime's permissions, spawn → first 200 of `/api/health` and
 * of an authenticated `GET /v1/chats`), taking the checkouts in turn boot by boot (the order rotating
 * every round), so a busy machine weighs on all alike. Needs a running stack (SUPABASE_* set).
 *
 *   deno run -A bench/cold-start-ab.ts [--runs=10] [--floor] <checkout> [<checkout>...]
 *
 * `--floor` adds a bare `Deno.serve` answering 200 (same Deno, permissions and import map) to the turns.
 *
 * e.g. `git worktree add --detach ../before HEAD~1` and `bench/cold-start-ab.ts ../before .`
 * @module
 */
import { join, resolve } from "node:path";
import { loadConfig } from "../stack/config.ts";
import { EDGE_DENO, permissionFlags } from "../stack/functions/edge-runtime.ts";
import { freePort } from "../stack/process.ts";
import { call, signUpUser } from "../tests/helpers/api.ts";
import { functionSettings } from "./support/function-settings.ts";
import { type Cpu, cpuMs } from "./support/process-cpu.ts";

const runs = Number(Deno.args.find((arg) => arg.startsWith("--runs="))?.slice(7) ?? 10);
const config = loadConfig();
/** The floor: a hello world, in /tmp (which the runtime's permissions let it read). */
const FLOOR = "floor";
const floorScript = join(await Deno.makeTempDir(), "hello.ts");
await Deno.writeTextFile(
  floorScript,
  'Deno.serve({ hostname: "127.0.0.1", port: Number(Deno.args[0]) }, () => new Response("ok"));\n',
);
const roots = [
  ...Deno.args.includes("--floor") ? [FLOOR] : [],
  ...Deno.args.filter((arg) => !arg.startsWith("--")).map((path) => resolve(path)),
];
if (roots.length === 0) throw new Error("name the checkouts to compare");

interface Boot {
  /** Spawn → first 200, ms. */
  wall: number;
  /** CPU time spent by then (less swayed by a busy machine than the wall clock). */
  cpu: Cpu;
}

/** Spawn → first 200 of `path`. */
async function firstOk(root: string, path: string, headers: HeadersInit = {}): Promise<Boot> {
  const port = freePort();
  const project = root === FLOOR ? config.root : root;
  const args = [
    "run",
    ...permissionFlags(project),
    "--config",
    join(project, "supabase", "functions", "deno.json"),
    root === FLOOR ? floorScript : join(root, "bench", "support", "measured-api.ts"),
    String(port),
  ];
  const started = performance.now();
  const process = new Deno.Command(EDGE_DENO, {
    args,
    cwd: project,
    clearEnv: true,
    env: functionSettings(config),
    stdout: "null",
    stderr: "null",
  }).spawn();
  try {
    while (performance.now() - started < 30_000) {
      const response = await fetch(`http://127.0.0.1:${port}${path}`, { headers }).catch(() => null);
      await response?.body?.cancel();
      if (response?.status === 200) {
        const wall = performance.now() - started;
        return { wall, cpu: await cpuMs(process.pid) };
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    throw new Error(`${root}: no 200 from ${path} within 30 s`);
  } finally {
    process.kill("SIGKILL");
    await process.status;
  }
}

async function commitOf(root: string): Promise<string> {
  if (root === FLOOR) return "—";
  const { stdout } = await new Deno.Command("git", { args: ["-C", root, "rev-parse", "--short", "HEAD"] })
    .output();
  return new TextDecoder().decode(stdout).trim();
}

const user = await signUpUser("Cold Start A/B");
for (let i = 0; i < 20; i++) {
  await call("/v1/chats", { method: "POST", token: user.token, body: { title: `chat ${i}` } });
}
const auth = { authorization: `Bearer ${user.token}` };
const boots = new Map(roots.map((root) => [root, { health: [] as Boot[], chats: [] as Boot[] }]));
for (let i = 0; i < runs; i++) {
  for (const root of [...roots.slice(i % roots.length), ...roots.slice(0, i % roots.length)]) {
    boots.get(root)!.health.push(await firstOk(root, "/api/health"));
    boots.get(root)!.chats.push(await firstOk(root, "/api/v1/chats", auth));
  }
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const range = (values: number[]) => `${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))}`;
/** "wall median (min–max) · main-thread CPU / all threads' CPU", medians. */
const summary = (measured: Boot[]) => {
  const wall = measured.map((boot) => boot.wall);
  const main = median(measured.map((boot) => boot.cpu.main));
  const all = median(measured.map((boot) => boot.cpu.all));
  return {
    wall: median(wall),
    main,
    text: `${Math.round(median(wall))} ms (${range(wall)}) · ${Math.round(main)} / ${Math.round(all)} ms`,
  };
};
console.log(
  `\nspawn → first 200: wall median (min–max) · CPU time by then, main thread / all threads, medians`,
);
console.log(`of ${runs} boots each, checkouts in turn\n`);
console.log(
  "| checkout | commit | `/api/health` | authenticated `GET /v1/chats` | wall, main CPU: ratio to the first |",
);
console.log("| --- | --- | ---: | ---: | ---: |");
let first: ReturnType<typeof summary>[] | undefined;
for (const root of roots) {
  const [health, chats] = [summary(boots.get(root)!.health), summary(boots.get(root)!.chats)];
  first ??= [health, chats];
  const ratio = (now: typeof health, then: typeof health) =>
    `${(now.wall / then.wall).toFixed(2)}×, ${(now.main / then.main).toFixed(2)}×`;
  console.log(
    `| ${root} | ${await commitOf(root)} | ${health.text} | ${chats.text} | ${ratio(health, first[0])} / ${
      ratio(chats, first[1])
    } |`,
  );
}
