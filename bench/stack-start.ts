/**
 * How long `npm run stack -- start` takes, cold (a new state folder: initdb, bootstrap, migrations
 * through the Supabase CLI, functions) and warm (the cluster exists), and how long `stop` takes.
 * Runs a separate stack on free ports so a running one is left alone. Goal: warm start <= 5 s.
 *
 *   deno run -A bench/stack-start.ts [rounds=3]
 */
import { join } from "node:path";
import { freePort, run } from "../stack/process.ts";

const rounds = Number(Deno.args[0] ?? 3);
const root = new URL("..", import.meta.url).pathname;
const stateDir = await Deno.makeTempDir({ prefix: "stack-bench-" });
const env = {
  ...Deno.env.toObject(),
  STACK_STATE_DIR: stateDir,
  STACK_API_PORT: String(freePort()),
  STACK_DB_PORT: String(freePort()),
  STACK_POOLER_PORT: String(freePort()),
};

async function timed(args: string[]): Promise<number> {
  const started = performance.now();
  const result = await run([Deno.execPath(), "run", "-A", join(root, "stack", "cli.ts"), ...args], {
    env,
    cwd: root,
    check: false,
  });
  if (result.code !== 0) throw new Error(`stack ${args.join(" ")} failed:\n${result.stderr}`);
  return performance.now() - started;
}

const rows: [string, number][] = [];
try {
  rows.push(["cold start", await timed(["start"])]);
  rows.push(["stop", await timed(["stop"])]);
  for (let i = 1; i <= rounds; i++) {
    rows.push([`warm start #${i}`, await timed(["start"])]);
    rows.push([`stop #${i}`, await timed(["stop"])]);
  }
} finally {
  await run([Deno.execPath(), "run", "-A", join(root, "stack", "cli.ts"), "stop"], { env, check: false });
  await Deno.remove(stateDir, { recursive: true });
}

const warm = rows.filter(([name]) => name.startsWith("warm")).map(([, ms]) => ms);
console.log("| step | seconds |\n|---|---|");
for (const [name, ms] of rows) console.log(`| ${name} | ${(ms / 1000).toFixed(2)} |`);
const median = warm.sort((a, b) => a - b)[Math.floor(warm.length / 2)];
console.log(
  `\nwarm start median ${(median / 1000).toFixed(2)} s (goal <= 5 s: ${median <= 5000 ? "met" : "missed"})`,
);
