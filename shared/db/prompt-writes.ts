/**
 * postgres.js 3.4.9 gathers the messages of the statements issued together and writes them with a
 * `setImmediate`. On the hosted edge runtime's Deno (2.1) Node's `setImmediate` is a 0 ms timer, which
 * fires a timer tick later: ~1.1 ms added to every flight to Postgres, measured on Deno 2.1.4 (a
 * one-statement round trip through the pooler 1.7 ms → 0.23 ms; Deno 2.9's takes ~0.005 ms). The
 * cleared ones can also still fire ({@link ./connection-errors.ts}).
 *
 * {@link promptWrites} gives the isolate's npm code a `setImmediate` that runs at the end of the current
 * job instead (one microtask for all those queued meanwhile), with a `clearImmediate` that does clear:
 * the statements issued in one synchronous stretch still leave in one write. Of the functions' npm
 * packages only postgres.js calls `setImmediate` (our own code imports Node's from `node:timers`,
 * untouched), and it only uses it to flush writes, for which "after this job" is what it means.
 * @module
 */

type Callback = (...args: unknown[]) => void;

/** A queued call; the shape of Node's Immediate as far as its callers use it. */
class PromptImmediate {
  constructor(readonly callback: Callback, readonly args: unknown[]) {}
  cleared = false;
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  hasRef() {
    return true;
  }
}

let queue: PromptImmediate[] = [];

/**
 * Runs what was queued. A call that throws does not keep the others from running (each may be another
 * connection's write): its error is thrown again on its own, uncaught, as Node's would be
 * (./connection-errors.ts handles postgres.js's known ones).
 */
function runQueued() {
  const due = queue;
  queue = [];
  for (const immediate of due) {
    if (immediate.cleared) continue;
    try {
      immediate.callback(...immediate.args);
    } catch (error) {
      queueMicrotask(() => {
        throw error;
      });
    }
  }
}

function setPromptImmediate(callback: Callback, ...args: unknown[]): PromptImmediate {
  const immediate = new PromptImmediate(callback, args);
  if (queue.push(immediate) === 1) queueMicrotask(runQueued);
  return immediate;
}

let installed = false;

/** Installs the prompt `setImmediate` / `clearImmediate` for the isolate (once; later calls do nothing). */
export function promptWrites(): void {
  if (installed) return;
  installed = true;
  const global = globalThis as Record<string, unknown>;
  const runtimeClear = global.clearImmediate as ((handle: unknown) => void) | undefined;
  global.setImmediate = setPromptImmediate;
  global.clearImmediate = (handle: unknown) => {
    if (handle instanceof PromptImmediate) handle.cleared = true;
    else runtimeClear?.(handle);
  };
}
