/**
 * Starts every edge function of the project as a child process with the environment Supabase
 * injects plus supabase/functions/.env, restarting it when its code changes (as
 * `supabase functions serve` does).
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { type FunctionConfig, functionEnv, type StackConfig } from "../config.ts";
import { freePort } from "../process.ts";

export interface RunningFunction {
  config: FunctionConfig;
  port: number;
  process: Deno.ChildProcess;
}

/** Parses a dotenv file: KEY=value lines, optional quotes, # comments. */
export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const raw = match[2];
    const quoted = /^(["'])(.*)\1$/.exec(raw);
    env[match[1]] = quoted ? quoted[2] : raw.replace(/\s+#.*$/, "");
  }
  return env;
}

function userEnv(config: StackConfig): Record<string, string> {
  const file = join(config.root, "supabase", "functions", ".env");
  if (!existsSync(file)) return {};
  const env = parseDotenv(Deno.readTextFileSync(file));
  // As on Supabase: user secrets may not override the platform's SUPABASE_ variables.
  return Object.fromEntries(Object.entries(env).filter(([key]) => !key.startsWith("SUPABASE_")));
}

function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "DENO_DIR", "TMPDIR", "TZ", "NO_COLOR"];
  return Object.fromEntries(keep.flatMap((key) => {
    const value = Deno.env.get(key);
    return value === undefined ? [] : [[key, value]];
  }));
}

export function startFunction(
  config: StackConfig,
  fn: FunctionConfig,
  output: (name: string, stream: ReadableStream<Uint8Array>) => void,
): RunningFunction {
  const port = freePort();
  const watched = [join(config.root, "shared"), join(config.root, "supabase", "functions")];
  const process = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "-A",
      "--config",
      join(config.root, "deno.json"),
      `--watch=${watched.join(",")}`,
      "--no-clear-screen",
      join(config.root, "stack", "functions", "runner.ts"),
      fn.entrypoint,
      String(port),
    ],
    cwd: config.root,
    clearEnv: true,
    env: { ...baseEnv(), ...userEnv(config), ...functionEnv(config) },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  output(fn.name, process.stdout);
  output(fn.name, process.stderr);
  return { config: fn, port, process };
}

export async function stopFunction(running: RunningFunction): Promise<void> {
  try {
    running.process.kill("SIGTERM");
  } catch {
    return; // already gone
  }
  const timer = setTimeout(() => {
    try {
      running.process.kill("SIGKILL");
    } catch { /* exited meanwhile */ }
  }, 8_000);
  await running.process.status;
  clearTimeout(timer);
}
