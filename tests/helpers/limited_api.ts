/**
 * An `api` function of its own with the settings given (a `.env` in a temporary project folder, as
 * tests/worker/public_url_test.ts runs one) behind a gateway of its own (stack/gateway.ts, which
 * appends the caller's address to `x-forwarded-for` as the platform's gateway does), for the rate
 * limit tests and proof/abuse.ts. Requests leave from a loopback address of the caller's choice
 * (127.0.0.0/8 is all loopback on Linux): the client address the gateway sees and the limits count.
 * @module
 */
import http from "node:http";
import { join } from "node:path";
import { loadConfig } from "../../stack/config.ts";
import { FunctionProcesses } from "../../stack/functions/manager.ts";
import { createGateway } from "../../stack/gateway.ts";
import { waitFor } from "../../stack/process.ts";
import { LIMITS } from "../../shared/limits/config.ts";
import { env } from "./env.ts";

export interface Sent {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
  /** The loopback address the request leaves from (default 127.0.0.1). */
  from?: string;
}

export interface Answer {
  status: number;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

export interface LimitedApi {
  /** `http://127.0.0.1:<port>/functions/v1/api` */
  url: string;
  call(path: string, sent?: Sent): Promise<Answer>;
  close(): Promise<void>;
}

/** A fresh loopback address other than 127.0.0.1 (so counters of earlier runs never meet this one's). */
export function loopbackAddress(): string {
  const byte = (min: number, max: number) => min + Math.floor(Math.random() * (max - min + 1));
  return `127.${byte(1, 254)}.${byte(0, 255)}.${byte(1, 254)}`;
}

/** One request over HTTP/1.1 from `sent.from` (node:http binds the local address; fetch cannot). */
export function send(url: string, sent: Sent = {}): Promise<Answer> {
  const target = new URL(url);
  const headers: Record<string, string> = { ...sent.headers };
  if (sent.token) headers.authorization = `Bearer ${sent.token}`;
  const payload = sent.body === undefined ? undefined : JSON.stringify(sent.body);
  if (payload !== undefined) headers["content-type"] ??= "application/json";
  return new Promise((resolve, reject) => {
    const request = http.request({
      host: target.hostname,
      port: target.port,
      path: target.pathname + target.search,
      method: sent.method ?? (payload === undefined ? "GET" : "POST"),
      headers,
      localAddress: sent.from ?? "127.0.0.1",
    }, (response) => {
      const chunks: Uint8Array[] = [];
      response.on("data", (chunk: Uint8Array) => chunks.push(chunk));
      response.on("end", () => {
        const text = new TextDecoder().decode(concat(chunks));
        const answerHeaders = new Headers();
        for (const [name, value] of Object.entries(response.headers)) {
          if (value !== undefined) answerHeaders.set(name, Array.isArray(value) ? value.join(", ") : value);
        }
        const isJson = answerHeaders.get("content-type")?.includes("json") && text;
        resolve({
          status: response.statusCode ?? 0,
          headers: answerHeaders,
          body: isJson ? JSON.parse(text) : text,
        });
      });
      response.on("error", reject);
    });
    request.on("error", reject);
    request.end(payload);
  });
}

function concat(chunks: Uint8Array[]): Uint8Array {
  const all = new Uint8Array(chunks.reduce((size, chunk) => size + chunk.length, 0));
  let at = 0;
  for (const chunk of chunks) all.set(chunk, (at += chunk.length) - chunk.length);
  return all;
}

/** Every limit at its production default (the stack raises them for its own functions). */
const DEFAULT_LIMITS = Object.fromEntries(
  Object.entries(LIMITS).map(([name, spec]) => [`RATE_LIMIT_${name.toUpperCase()}`, spec.default]),
);

/**
 * Starts the api function with `settings` over the production defaults, and a gateway in front of
 * it on a free port. `supabaseUrl` is its SUPABASE_URL (the stack's gateway by default);
 * `applicationName` names its database connections (pg_stat_activity.application_name).
 */
export async function startLimitedApi(
  settings: Record<string, string>,
  options: { supabaseUrl?: string; applicationName?: string } = {},
): Promise<LimitedApi> {
  const project = loadConfig();
  const root = await Deno.makeTempDir({ prefix: "limited-api-" });
  await Deno.mkdir(join(root, "supabase", "functions"), { recursive: true });
  // PGAPPNAME names its connections, also through the pooler (SHOW CLIENTS).
  const named = options.applicationName ? { PGAPPNAME: options.applicationName } : {};
  const dotenv = Object.entries({ ...DEFAULT_LIMITS, ...named, ...settings })
    .map(([name, value]) => `${name}=${value}`).join("\n");
  await Deno.writeTextFile(join(root, "supabase", "functions", ".env"), `${dotenv}\n`);
  const api = project.functions.find((fn) => fn.name === "api")!;
  const dbUrl = options.applicationName
    ? `${env.dbUrl}?application_name=${options.applicationName}`
    : env.dbUrl;
  const config = { ...project, root, apiUrl: options.supabaseUrl ?? env.url, dbUrl, functions: [api] };
  const functions = new FunctionProcesses(
    config,
    (_name, stream) => void stream.pipeTo(new WritableStream()),
  );
  functions.start({ watch: false });
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
  });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, gateway.fetch);
  const url = `http://127.0.0.1:${server.addr.port}/functions/v1/api`;
  const call = (path: string, sent?: Sent) => send(url + path, sent);
  // Straight to the function until it listens (the gateway would log every refused connection).
  const health = () => fetch(`http://127.0.0.1:${functions.get("api")!.port}/api/health`);
  const booted = await waitFor(() =>
    health().then(async (response) => (await response.body?.cancel(), response.ok))
  );
  if (!booted) throw new Error("the limited api function did not start");
  return {
    url,
    call,
    async close() {
      await functions.stop();
      await server.shutdown();
      await Deno.remove(root, { recursive: true });
    },
  };
}
