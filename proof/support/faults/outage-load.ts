/**
 * A closed-loop load that records every answer with its time: each client sends its next request
 * as soon as the previous one is answered, with a timeout so that a hang is counted, not waited on.
 * @module
 */

export interface Sample {
  route: string;
  /** Milliseconds since the load started. */
  at: number;
  latencyMs: number;
  /** The HTTP status, or "hang" (no answer within the timeout) or "network" (connection failed). */
  outcome: number | "hang" | "network";
  code?: string;
}

export interface Target {
  route: string;
  clients: number;
  send: (signal: AbortSignal) => Promise<Response>;
}

async function errorCode(response: Response): Promise<string | undefined> {
  const text = await response.text();
  try {
    return response.ok ? undefined : JSON.parse(text).code;
  } catch {
    return undefined;
  }
}

async function sendOnce(target: Target, started: number, timeoutMs: number): Promise<Sample> {
  const sent = performance.now();
  const sample = (outcome: Sample["outcome"], code?: string): Sample => ({
    route: target.route,
    at: sent - started,
    latencyMs: performance.now() - sent,
    outcome,
    code,
  });
  try {
    const response = await target.send(AbortSignal.timeout(timeoutMs));
    return sample(response.status, await errorCode(response));
  } catch (error) {
    return sample(error instanceof DOMException && error.name === "TimeoutError" ? "hang" : "network");
  }
}

/** Runs the targets until `stop` resolves; returns every sample. */
export function loadUntil(targets: Target[], stop: Promise<unknown>, timeoutMs: number) {
  const samples: Sample[] = [];
  const started = performance.now();
  let stopped = false;
  stop.finally(() => stopped = true);
  const client = async (target: Target) => {
    while (!stopped) {
      const sample = await sendOnce(target, started, timeoutMs);
      samples.push(sample);
      // A client that got an error waits a little, as a real one would, instead of spinning.
      if (sample.outcome !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const clients = targets.flatMap((target) => Array.from({ length: target.clients }, () => client(target)));
  return { started, done: Promise.all(clients).then(() => samples) };
}
