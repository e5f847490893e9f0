/**
 * The local stack as one supervised set of processes: Postgres and its transaction pooler, the
 * platform services, every edge function and the gateway in front of them.
 * @module
 */
import { join } from "node:path";
import type { StackConfig } from "./config.ts";
import { bootstrap, migrate, storeVaultSecrets } from "./database.ts";
import { StackError } from "./errors.ts";
import { createGateway } from "./gateway.ts";
import { recordingTraffic } from "./traffic-recorder.ts";
import { FunctionProcesses } from "./functions/manager.ts";
import { createAuthServer } from "./auth/server.ts";
import { startDispatcher } from "./net/dispatcher.ts";
import { createStorageServer } from "./storage/server.ts";
import { isPortFree, waitFor } from "./process.ts";
import { startPostgres, stopPostgres } from "./postgres.ts";
import { startPooler, stopPooler } from "./pooler.ts";

export interface RunningStack {
  stop(): Promise<void>;
  functions: FunctionProcesses;
}

/**
 * Copies a child's output to ours, each line prefixed with the function's name: one write per chunk
 * read, however many lines it holds (a busy function logs a line per request).
 */
async function prefixLines(name: string, stream: ReadableStream<Uint8Array>) {
  const print = (lines: string[]) => console.log(lines.map((line) => `[${name}] ${line}`).join("\n"));
  let buffered = "";
  for await (const chunk of stream.pipeThrough(new TextDecoderStream())) {
    const lines = (buffered + chunk).split("\n");
    buffered = lines.pop() ?? "";
    if (lines.length > 0) print(lines);
  }
  if (buffered) print([buffered]);
}

async function accepts(port: number): Promise<boolean> {
  const connection = await Deno.connect({ hostname: "127.0.0.1", port });
  connection.close();
  return true;
}

async function waitForFunctions(functions: FunctionProcesses): Promise<void> {
  for (const running of functions.all()) {
    const ready = await waitFor(() => running.exited ? Promise.resolve(true) : accepts(running.port), {
      timeoutMs: 60_000,
    });
    if (!ready || running.exited) {
      throw new StackError(
        `The ${running.config.name} function did not start: its errors are in the log above.`,
      );
    }
  }
}

export async function startStack(config: StackConfig, log = console.log): Promise<RunningStack> {
  const started = performance.now();
  if (!isPortFree(config.apiPort)) {
    throw new StackError(
      `Port ${config.apiPort} is taken by another program: stop it, or set STACK_API_PORT to a free port.`,
    );
  }
  // First: it needs no database to start, and a taken port is reported before a cluster is made.
  if (config.pooler.enabled) {
    await startPooler(config);
    log(`pgbouncer (${config.pooler.poolMode} mode) listening on port ${config.pooler.port}`);
  }
  const { created } = await startPostgres(config);
  log(`postgres ${created ? "created" : "started"} on port ${config.dbPort}`);
  await bootstrap(config);
  if (await migrate(config)) log("migrations applied with supabase db push");
  await storeVaultSecrets(config);

  const functions = new FunctionProcesses(config, (name, stream) => void prefixLines(name, stream));
  functions.start();
  await waitForFunctions(functions);
  const auth = createAuthServer(config);
  const storage = createStorageServer(config);
  const dispatcher = startDispatcher(config);
  const gateway = createGateway({
    functions: (name) => {
      const running = functions.get(name);
      return running &&
        {
          port: running.port,
          socket: running.socket,
          verifyJwt: running.config.verifyJwt,
          alive: !running.exited,
        };
    },
    services: { "/auth/v1": auth.fetch, "/storage/v1": storage.fetch },
  });
  const recordTo = Deno.env.get("STACK_RECORD_TRAFFIC");
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: config.apiPort, onListen: () => {} },
    recordTo ? recordingTraffic(gateway.fetch, recordTo) : gateway.fetch,
  );
  log(`gateway listening on ${config.apiUrl} (${Math.round(performance.now() - started)} ms)`);

  return {
    functions,
    async stop() {
      await server.shutdown();
      await functions.stop();
      await dispatcher.stop();
      await Promise.all([auth.close(), storage.close()]);
      await stopPooler(config);
      await stopPostgres(config);
    },
  };
}

export function stateFile(config: StackConfig): string {
  return join(config.stateDir, "stack.json");
}
