/**
 * Runs every edge function of the project as a child process — on the hosted runtime's Deno, with
 * its permissions and memory limit (./edge-runtime.ts) — with the environment Supabase injects plus
 * supabase/functions/.env (over the stack's own settings: LOCAL_FUNCTION_SETTINGS and
 * `localDevelopmentEnv`, which that file may change), and restarts them when their code changes (as
 * `supabase functions serve` does). The stack adds two settings of its own: DB_POOLER_URL, its pooler's
 * URL (over any in .env, which would name another project's), and PGAPPNAME, the function's name, which
 * its database connections report (pg_stat_activity, the pooler's SHOW CLIENTS) unless .env names them
 * otherwise.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import {
  type FunctionConfig,
  functionEnv,
  LOCAL_FUNCTION_SETTINGS,
  localDevelopmentEnv,
  type StackConfig,
} from "../config.ts";
import { freePort } from "../process.ts";
import { EDGE_DENO, EDGE_DENO_ENV, edgeRunArgs } from "./edge-runtime.ts";

const RUNNER = new URL("./runner.ts", import.meta.url).pathname;
const RESTART_INTERVAL_MS = 1_000;

export interface RunningFunction {
  config: FunctionConfig;
  port: number;
  /** The Unix socket the gateway reaches the function on (see ./runner.ts). */
  socket: string;
  process: Deno.ChildProcess;
  exited: boolean;
  startedAt: number;
}

export type OutputSink = (name: string, stream: ReadableStream<Uint8Array>) => void;

/** Parses a dotenv file: KEY=value lines, optional quotes, # comments. */
export function parseDotenv(text: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const line of text.split("\n")) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    const quoted = /^(["'])(.*)\1$/.exec(match[2]);
    env[match[1]] = quoted ? quoted[2] : match[2].replace(/\s+#.*$/, "");
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

/** The stack's pooler, over a DB_POOLER_URL in .env (which would name another project's). */
function poolerSetting(config: StackConfig): Record<string, string> {
  return config.pooler.enabled ? { DB_POOLER_URL: config.pooler.url } : {};
}

function baseEnv(): Record<string, string> {
  const keep = ["PATH", "HOME", "DENO_DIR", "TMPDIR", "TZ", "NO_COLOR"];
  return Object.fromEntries(keep.flatMap((key) => {
    const value = Deno.env.get(key);
    return value === undefined ? [] : [[key, value]];
  }));
}

function spawn(config: StackConfig, fn: FunctionConfig, output: OutputSink): RunningFunction {
  const port = freePort();
  // In /tmp: the runtime's permissions let a function write there only (and a socket path is short).
  const socket = `/tmp/pocketllm-${fn.name}-${port}.sock`;
  const process = new Deno.Command(EDGE_DENO, {
    args: [...edgeRunArgs(fn.importMap, RUNNER, fn.entrypoint, String(port)), socket],
    cwd: config.root,
    clearEnv: true,
    env: {
      ...baseEnv(),
      ...EDGE_DENO_ENV,
      PGAPPNAME: fn.name,
      ...LOCAL_FUNCTION_SETTINGS,
      ...localDevelopmentEnv(),
      ...userEnv(config),
      ...poolerSetting(config),
      ...functionEnv(config),
    },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  output(fn.name, process.stdout);
  output(fn.name, process.stderr);
  const running: RunningFunction = {
    config: fn,
    port,
    socket,
    process,
    exited: false,
    startedAt: Date.now(),
  };
  process.status.then(() => {
    running.exited = true;
    Deno.remove(socket).catch(() => {});
  });
  return running;
}

async function terminate(running: RunningFunction): Promise<void> {
  if (running.exited) return;
  running.process.kill("SIGTERM");
  const timer = setTimeout(() => !running.exited && running.process.kill("SIGKILL"), 8_000);
  await running.process.status;
  clearTimeout(timer);
}

/** The project's functions, each in its own process, reloaded when a source file changes. */
export class FunctionProcesses {
  readonly #running = new Map<string, RunningFunction>();
  readonly #config: StackConfig;
  readonly #output: OutputSink;
  #watcher?: Deno.FsWatcher;
  #stopping = false;

  constructor(config: StackConfig, output: OutputSink) {
    this.#config = config;
    this.#output = output;
  }

  start({ watch = true } = {}): void {
    for (const fn of this.#config.functions) {
      this.#running.set(fn.name, spawn(this.#config, fn, this.#output));
    }
    if (watch) void this.#watch();
  }

  /**
   * The function's process. One that crashed is started again for the next request, as the edge
   * runtime starts a new worker; not more than once a second, so a boot error is answered, not looped.
   */
  get(name: string): RunningFunction | undefined {
    const running = this.#running.get(name);
    if (!running?.exited || this.#stopping || Date.now() - running.startedAt < RESTART_INTERVAL_MS) {
      return running;
    }
    console.log(`${name} exited: starting it again`);
    const restarted = spawn(this.#config, running.config, this.#output);
    this.#running.set(name, restarted);
    return restarted;
  }

  all(): RunningFunction[] {
    return [...this.#running.values()];
  }

  /** Starts a fresh process per function; requests go to the new one as soon as it is spawned. */
  async reload(): Promise<void> {
    const old = this.all();
    for (const running of old) {
      this.#running.set(running.config.name, spawn(this.#config, running.config, this.#output));
    }
    await Promise.all(old.map(terminate));
  }

  async stop(): Promise<void> {
    this.#stopping = true;
    this.#watcher?.close();
    this.#watcher = undefined;
    await Promise.all(this.all().map(terminate));
  }

  async #watch(): Promise<void> {
    const root = this.#config.root;
    this.#watcher = Deno.watchFs([
      join(root, "shared"),
      join(root, "supabase", "functions"),
      join(root, "deno.json"),
    ]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    for await (const event of this.#watcher) {
      if (!event.paths.some((path) => /\.(ts|tsx|js|json|env)$/.test(path))) continue;
      clearTimeout(timer);
      timer = setTimeout(() => {
        console.log("source changed: reloading functions");
        void this.reload();
      }, 150);
    }
  }
}
