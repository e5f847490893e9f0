/**
 * The api function in a process of its own, started as the local stack starts it but reached
 * without the gateway: what the function itself costs, next to what the local gateway adds.
 *
 *   await using api = await startApiFunction();
 *   fetch(`${api.url}/api/v1/chats`, { headers });
 * @module
 */
import { loadConfig } from "../../stack/config.ts";
import { FunctionProcesses } from "../../stack/functions/manager.ts";
import { waitFor } from "../../stack/process.ts";

export interface ApiFunction {
  /** `http://127.0.0.1:<port>` */
  url: string;
  [Symbol.asyncDispose](): Promise<void>;
}

/** Lines worth showing: not the per-request info lines, not the start-up line. */
const isProblem = (line: string) =>
  line !== "" && !line.startsWith('{"level":"info"') && !line.startsWith("function ready");

/** Prints the function's problems (reading all its output: a closed pipe would fail its writes). */
async function showProblems(output: ReadableStream<Uint8Array>) {
  for await (const chunk of output.pipeThrough(new TextDecoderStream())) {
    const problems = chunk.split("\n").filter(isProblem);
    if (problems.length > 0) console.error(problems.map((line) => `[api function] ${line}`).join("\n"));
  }
}

export async function startApiFunction(): Promise<ApiFunction> {
  const config = loadConfig();
  const api = config.functions.filter((fn) => fn.name === "api");
  const functions = new FunctionProcesses(
    { ...config, functions: api },
    (_, output) => void showProblems(output),
  );
  functions.start({ watch: false });
  const url = `http://127.0.0.1:${functions.get("api")!.port}`;
  const ready = await waitFor(async () => (await fetch(`${url}/api/health`)).ok);
  if (!ready) {
    await functions.stop();
    throw new Error("the api function did not answer /api/health");
  }
  return { url, [Symbol.asyncDispose]: () => functions.stop() };
}
