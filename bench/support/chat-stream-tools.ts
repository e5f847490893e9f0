/**
 * Helpers for bench/chat-stream.ts: percentiles, and the resident memory of the local stack's api
 * function process (found by its command line and the database URL in its environment, so another
 * stack's function on the same machine is never measured).
 * @module
 */

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

export const formatMs = (value: number) => `${value.toFixed(1)} ms`;

/** The pid of the api function of the stack whose database is `dbUrl` (Linux /proc). */
export function apiFunctionPid(dbUrl: string): Promise<number> {
  return functionPid(dbUrl, "api");
}

/** The pid of the function `name` of the stack whose database is `dbUrl` (Linux /proc). */
export async function functionPid(dbUrl: string, name: string): Promise<number> {
  for await (const entry of Deno.readDir("/proc")) {
    if (!/^\d+$/.test(entry.name)) continue;
    try {
      const cmdline = await Deno.readTextFile(`/proc/${entry.name}/cmdline`);
      if (!cmdline.includes("functions/runner.ts") || !cmdline.includes(`functions/${name}/index.ts`)) {
        continue;
      }
      const environ = await Deno.readTextFile(`/proc/${entry.name}/environ`);
      if (environ.split("\0").includes(`SUPABASE_DB_URL=${dbUrl}`)) return Number(entry.name);
    } catch {
      // The process ended while we looked, or is not ours to read.
    }
  }
  throw new Error(`the ${name} function's process was not found (is the local stack running?)`);
}

export interface RssSample {
  at: number;
  rssKb: number;
}

/** Samples a process's VmRSS every `intervalMs` between `start` and `stop`. */
export class RssSampler {
  readonly #samples: RssSample[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #started = 0;

  constructor(readonly pid: number, readonly intervalMs: number) {}

  async sampleOnce(): Promise<number> {
    const status = await Deno.readTextFile(`/proc/${this.pid}/status`);
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  }

  start(): void {
    this.#started = performance.now();
    this.#timer = setInterval(async () => {
      this.#samples.push({ at: performance.now() - this.#started, rssKb: await this.sampleOnce() });
    }, this.intervalMs);
  }

  async stop(): Promise<RssSample[]> {
    clearInterval(this.#timer);
    this.#samples.push({ at: performance.now() - this.#started, rssKb: await this.sampleOnce() });
    return this.#samples;
  }
}
