/**
 * Runs one edge function in its own Deno process, as Supabase's edge runtime runs it in its own
 * worker: the function's `Deno.serve(handler)` (or `export default { fetch }`) is bound to the port
 * the gateway chose and, when given, to a Unix socket the gateway uses, and `EdgeRuntime.waitUntil`
 * exists as it does there.
 *
 * The socket: the hosted runtime hands requests to a function's worker inside one process, with no TCP
 * hop; over TCP, Deno 2.1's server writes without TCP_NODELAY, so the second small write of a streamed
 * response (a reply's first delta, right after its `start` event) waited ~40 ms for the gateway's delayed
 * ACK (bench/README.md). The port stays for tests and benches that call a function directly.
 *
 * Usage (see ./edge-runtime.ts for the flags):
 *   deno run <runtime permissions> stack/functions/runner.ts <entrypoint> <port> [<socket path>]
 * @module
 */
import { pathToFileURL } from "node:url";

const [entrypoint, port, socket] = Deno.args;
const pending = new Set<Promise<unknown>>();

Object.defineProperty(globalThis, "EdgeRuntime", {
  value: Object.freeze({
    /** Keeps work alive after the response is sent; errors are logged, never thrown at the caller. */
    waitUntil<T>(promise: Promise<T>): Promise<T> {
      const tracked = promise.catch((error) => {
        console.error("EdgeRuntime.waitUntil task failed:", error);
      }).finally(() => pending.delete(tracked));
      pending.add(tracked);
      return promise;
    },
  }),
});

type Handler = Deno.ServeHandler;
const realServe = Deno.serve.bind(Deno);
let server: Deno.HttpServer | undefined;
let socketServer: Deno.HttpServer | undefined;

function listen(handler: Handler): Deno.HttpServer {
  if (socket) socketServer = realServe({ path: socket, onListen: () => {} }, handler);
  server = realServe({
    hostname: "127.0.0.1",
    port: Number(port),
    onListen: () => console.log(`function ready on port ${port}`),
  }, handler);
  return server;
}

// deno-lint-ignore no-explicit-any
(Deno as any).serve = (...args: any[]) => {
  const handler = typeof args[0] === "function"
    ? args[0]
    : typeof args[1] === "function"
    ? args[1]
    : args[0].handler;
  return listen(handler);
};

const module = await import(pathToFileURL(entrypoint).href);
if (!server && typeof module.default?.fetch === "function") listen(module.default.fetch);

async function shutdown() {
  globalThis.dispatchEvent(new Event("beforeunload"));
  await Promise.race([Promise.allSettled(pending), new Promise((r) => setTimeout(r, 5_000))]);
  await Promise.all([server?.shutdown(), socketServer?.shutdown()]);
  Deno.exit(0);
}
Deno.addSignalListener("SIGTERM", shutdown);
Deno.addSignalListener("SIGINT", shutdown);
