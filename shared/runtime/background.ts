/**
 * Work that outlives the response: a reply still streaming when the client hangs up, a chat title
 * generated after the reply. On Supabase's edge runtime (and the local stack's function runner)
 * `EdgeRuntime.waitUntil` keeps the isolate alive until the work settles; elsewhere (tests, a
 * plain `deno serve`) the process lives on anyway and the promise simply runs.
 * @module
 */

declare global {
  /** Supabase's edge runtime global; absent outside it (feature-detect with `globalThis.EdgeRuntime`). */
  var EdgeRuntime: { waitUntil<T>(promise: Promise<T>): Promise<T> } | undefined;
}

/**
 * Keeps the isolate alive until `promise` settles, for work the request awaits but that must end even
 * if the client hangs up first. Its outcome stays the awaiting caller's to handle.
 */
export function keepAlive<T>(promise: Promise<T>): Promise<T> {
  globalThis.EdgeRuntime?.waitUntil(promise.then(() => {}, () => {}));
  return promise;
}

/**
 * Runs `promise` to the end even after the response is sent. Its failure is logged (name and message
 * only), never thrown: nobody is left to catch it.
 */
export function inBackground(promise: Promise<unknown>, label: string): void {
  const settled = promise.catch((error) => {
    console.error(JSON.stringify({
      level: "error",
      msg: "background task failed",
      task: label,
      error: error instanceof Error ? error.name : typeof error,
      message: error instanceof Error ? error.message : String(error),
    }));
  });
  globalThis.EdgeRuntime?.waitUntil(settled);
}
