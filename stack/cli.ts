/**
 * The local stack's command line: dev | start | stop | status [-o env] | reset.
 * (`serve` is internal: the detached process `start` launches.)
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { loadConfig, type StackConfig, statusEnv } from "./config.ts";
import { StackError } from "./errors.ts";
import { dataDir, stopPostgres } from "./postgres.ts";
import { stopPooler } from "./pooler.ts";
import { waitFor } from "./process.ts";
import { startStack, stateFile } from "./server.ts";

interface StackState {
  pid: number;
  status: "starting" | "ready" | "failed";
  error?: string;
  startup_ms?: number;
}

function readState(config: StackConfig): StackState | null {
  try {
    return JSON.parse(Deno.readTextFileSync(stateFile(config)));
  } catch {
    return null;
  }
}

function writeState(config: StackConfig, state: StackState): void {
  Deno.mkdirSync(config.stateDir, { recursive: true });
  Deno.writeTextFileSync(stateFile(config), JSON.stringify(state));
}

function isAlive(pid: number): boolean {
  try {
    Deno.kill(pid, "SIGCONT");
    return true;
  } catch {
    return false;
  }
}

function runningState(config: StackConfig): StackState | null {
  const state = readState(config);
  return state && state.status === "ready" && isAlive(state.pid) ? state : null;
}

function printStatus(config: StackConfig, format: string | undefined): void {
  const env = statusEnv(config);
  if (format === "env") {
    for (const [key, value] of Object.entries(env)) console.log(`${key}="${value}"`);
  } else if (format === "json") {
    console.log(JSON.stringify(env, null, 2));
  } else {
    const width = Math.max(...Object.keys(env).map((k) => k.length));
    for (const [key, value] of Object.entries(env)) console.log(`${key.padEnd(width)}  ${value}`);
  }
}

/** Runs the stack in this process until SIGINT/SIGTERM. */
async function serve(config: StackConfig, foreground: boolean): Promise<void> {
  const started = performance.now();
  writeState(config, { pid: Deno.pid, status: "starting" });
  let stack;
  try {
    stack = await startStack(config);
  } catch (error) {
    writeState(config, { pid: Deno.pid, status: "failed", error: describe(error) });
    await stopPooler(config);
    await stopPostgres(config);
    throw error;
  }
  writeState(config, { pid: Deno.pid, status: "ready", startup_ms: Math.round(performance.now() - started) });
  if (foreground) {
    console.log("\nThe local stack is running:\n");
    printStatus(config, undefined);
    console.log("\nPress Ctrl-C to stop.");
  }
  const stop = async () => {
    console.log("stopping the local stack ...");
    await stack.stop();
    Deno.removeSync(stateFile(config));
    Deno.exit(0);
  };
  Deno.addSignalListener("SIGINT", stop);
  Deno.addSignalListener("SIGTERM", stop);
}

async function start(config: StackConfig): Promise<void> {
  if (runningState(config)) {
    console.log("The local stack is already running.");
    return;
  }
  const logDir = join(config.stateDir, "logs");
  Deno.mkdirSync(logDir, { recursive: true });
  const log = join(logDir, "stack.log");
  const cli = join(config.root, "stack", "cli.ts");
  const command = `exec setsid '${Deno.execPath()}' run -A '${cli}' serve >> '${log}' 2>&1 < /dev/null`;
  const child = new Deno.Command("bash", {
    args: ["-c", command],
    stdin: "null",
    stdout: "null",
    stderr: "null",
  })
    .spawn();
  child.unref();
  const settled = await waitFor(() => {
    const state = readState(config);
    return Promise.resolve(state?.pid === child.pid && state.status !== "starting");
  }, { timeoutMs: 180_000, intervalMs: 50 });
  const state = readState(config);
  if (!settled || state?.status !== "ready") {
    throw new StackError(state?.error ?? `The stack did not start: see ${log}.`);
  }
  console.log(`The local stack is running (started in ${state.startup_ms} ms; logs: ${log}).`);
}

async function stop(config: StackConfig): Promise<void> {
  const state = readState(config);
  if (state && isAlive(state.pid)) {
    Deno.kill(state.pid, "SIGTERM");
    const gone = await waitFor(() => Promise.resolve(!isAlive(state.pid)), { timeoutMs: 30_000 });
    // The detached stack leads its own process group: clear whatever of it is left.
    if (!gone) Deno.kill(-state.pid, "SIGKILL");
  }
  await stopPooler(config);
  await stopPostgres(config);
  if (existsSync(stateFile(config))) Deno.removeSync(stateFile(config));
  console.log("The local stack is stopped.");
}

async function reset(config: StackConfig): Promise<void> {
  await stop(config);
  await Deno.remove(dataDir(config), { recursive: true }).catch(() => {});
  await start(config);
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

async function main(args: string[]): Promise<void> {
  const config = loadConfig();
  const [command, ...rest] = args;
  const output = rest.includes("-o") ? rest[rest.indexOf("-o") + 1] : undefined;
  switch (command) {
    case "dev":
      return serve(config, true);
    case "serve":
      return serve(config, false);
    case "start":
      await start(config);
      return printStatus(config, undefined);
    case "stop":
      return stop(config);
    case "reset":
      return reset(config);
    case "status":
      if (!runningState(config)) {
        throw new StackError("The local stack is not running: start it with `npm run stack -- start`.");
      }
      return printStatus(config, output);
    default:
      throw new StackError(
        "Usage: npm run stack -- start | stop | status [-o env|json] | reset   (or npm run dev)",
      );
  }
}

if (import.meta.main) {
  try {
    await main(Deno.args);
  } catch (error) {
    if (!(error instanceof StackError)) throw error;
    console.error(error.message);
    Deno.exit(1);
  }
}
