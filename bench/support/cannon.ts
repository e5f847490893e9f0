/**
 * autocannon (npm, run in-process under Deno) as the load tool of bench/load.ts: a fixed number of
 * keep-alive connections, each cycling through a list of requests, optionally capped at an overall
 * request rate. Results are reduced to the figures the benchmark tables print.
 * @module
 */
import autocannon from "autocannon";

export interface CannonRequest {
  method: "GET" | "POST";
  /** A path, or a function giving the next path (e.g. rotating over chats). */
  path: string | (() => string);
  body?: string;
}

export interface CannonOptions {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  headers: Record<string, string>;
  requests: CannonRequest[];
  connections: number;
  seconds: number;
  /** Requests per second across all connections (default: as fast as answers come). */
  rate?: number;
}

export interface CannonResult {
  connections: number;
  requests: number;
  perSecond: number;
  p50: number;
  p99: number;
  /** Socket errors, timeouts and non-2xx answers. */
  errors: number;
  /** Answers by status code, e.g. `{ "200": 1200 }`. */
  statuses: Record<string, number>;
}

function toAutocannon(request: CannonRequest) {
  const { method, path, body } = request;
  const headers = body === undefined ? undefined : { "content-type": "application/json" };
  if (typeof path === "string") return { method, path, body, headers };
  // deno-lint-ignore no-explicit-any
  return { method, body, headers, setupRequest: (req: any) => ({ ...req, path: path() }) };
}

/** Runs one load step and resolves when it is over. */
export async function runCannon(options: CannonOptions): Promise<CannonResult> {
  const result = await autocannon({
    url: options.origin,
    headers: options.headers,
    requests: options.requests.map(toAutocannon),
    connections: options.connections,
    duration: options.seconds,
    overallRate: options.rate,
    timeout: 10,
  });
  const requests = result.requests.total;
  return {
    connections: options.connections,
    requests,
    perSecond: requests / options.seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    statuses: Object.fromEntries(
      Object.entries(result.statusCodeStats).map((
        [code, stats],
      ) => [code, (stats as { count: number }).count]),
    ),
  };
}
