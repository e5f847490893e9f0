/**
 * The project's functions started as the local stack starts them (stack/functions/manager.ts: the
 * runtime's Deno, its permissions, the platform's environment) but with a `.env` of the test's own,
 * e.g. `ALLOW_PRIVATE_DESTINATIONS=false` as on a hosted project, and reached on their own ports
 * rather than through the gateway. They use the running stack's database and services.
 * @module
 */
import { join } from "node:path";
import { loadConfig } from "../../stack/config.ts";
import { FunctionProcesses } from "../../stack/functions/manager.ts";
import { waitFor } from "../../stack/process.ts";
import { env } from "./env.ts";

export interface OwnFunctions {
  /** `http://127.0.0.1:<port>/<name>`: the function's base path, as the gateway forwards to it. */
  url(name: string): string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Reads all of a function's output (a closed pipe would fail its writes); `show` prints it. */
const sink = (show: boolean) => (name: string, stream: ReadableStream<Uint8Array>) =>
  void stream.pipeThrough(new TextDecoderStream()).pipeTo(
    new WritableStream({ write: (text) => void (show && console.error(`[${name}] ${text.trimEnd()}`)) }),
  );

/** Starts `names` under a temporary project folder whose functions' `.env` is `dotenv`; waits until they answer. */
export async function startOwnFunctions(
  names: string[],
  dotenv: string,
  { show = false } = {},
): Promise<OwnFunctions> {
  const project = loadConfig();
  const root = await Deno.makeTempDir({ prefix: "own-functions-" });
  await Deno.mkdir(join(root, "supabase", "functions"), { recursive: true });
  await Deno.writeTextFile(join(root, "supabase", "functions", ".env"), dotenv);
  const chosen = project.functions.filter((fn) => names.includes(fn.name));
  const config = { ...project, root, apiUrl: env.url, dbUrl: env.dbUrl, functions: chosen };
  const functions = new FunctionProcesses(config, sink(show));
  functions.start({ watch: false });
  const url = (name: string) => `http://127.0.0.1:${functions.get(name)!.port}/${name}`;
  const stop = async () => {
    await functions.stop();
    await Deno.remove(root, { recursive: true });
  };
  for (const name of names) {
    // Any answer will do (the worker answers 401 without the service credential).
    const answers = () =>
      fetch(url(name), { method: "POST" }).then(async (r) => (await r.body?.cancel(), true));
    if (!await waitFor(answers)) {
      await stop();
      throw new Error(`the ${name} function did not start`);
    }
  }
  return { url, [Symbol.asyncDispose]: stop };
}
