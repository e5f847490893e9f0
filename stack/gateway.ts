/**
 * The API gateway on 127.0.0.1:54321, standing in for Supabase's Kong: `/functions/v1/<name>/...`
 * goes to that function with the path handed on as `/<name>/...` (verify_jwt enforced as the edge
 * runtime does), `/auth/v1` and `/storage/v1` go to the platform services, preflights are answered.
 * As Kong does, it appends the address a request came from (the socket's peer) to `x-forwarded-for`,
 * after whatever the client sent there: the functions read the right-most entry (README "Client
 * address"). Serve it with `Deno.serve(gateway.fetch)`, which hands Hono that address.
 * @module
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import * as jose from "jose";
import { JWT_SECRET, PUBLIC_JWKS } from "./keys.ts";

export interface FunctionTarget {
  port: number;
  /** A Unix socket the function also listens on: the gateway uses it when given (stack/functions/runner.ts). */
  socket?: string;
  verifyJwt: boolean;
  /** False once the function's process has exited (a boot error): requests then get 503. */
  alive?: boolean;
}

export interface GatewayOptions {
  /** Where each function listens, by name; read on every request so restarts can move it. */
  functions: (name: string) => FunctionTarget | undefined;
  /** Platform services mounted under /auth/v1, /storage/v1, ... (path prefix stripped). */
  services?: Record<string, (request: Request) => Response | Promise<Response>>;
  /** How long a request waits for a function that is (re)starting. */
  bootTimeoutMs?: number;
}

const secret = new TextEncoder().encode(JWT_SECRET);
const jwks = jose.createLocalJWKSet(PUBLIC_JWKS as jose.JSONWebKeySet);

/** The edge runtime's verify_jwt: a Bearer JWT signed with the legacy secret or a JWKS key. */
async function verifyJwt(authorization: string | undefined): Promise<string | null> {
  if (!authorization) return "Error: Missing authorization header";
  const token = /^Bearer (\S+)$/.exec(authorization)?.[1];
  if (!token) return "Invalid JWT";
  try {
    const { alg } = jose.decodeProtectedHeader(token);
    if (alg === "HS256") await jose.jwtVerify(token, secret, { algorithms: ["HS256"] });
    else await jose.jwtVerify(token, jwks, { algorithms: ["ES256", "RS256"] });
    return null;
  } catch {
    return "Invalid JWT";
  }
}

/** What Deno.serve hands a handler beside the request (Hono's `c.env`): where it came from. */
type Bindings = { remoteAddr?: Deno.Addr };

/** `x-forwarded-for` with the peer appended (Kong's `$proxy_add_x_forwarded_for`). */
export function forwardedFor(sent: string | null, peer: Deno.Addr | undefined): string | null {
  const address = peer && "hostname" in peer ? peer.hostname : undefined;
  if (!address) return sent;
  return sent?.trim() ? `${sent}, ${address}` : address;
}

function withForwardedFor(headers: Headers, peer: Deno.Addr | undefined): Headers {
  const copy = new Headers(headers);
  const value = forwardedFor(headers.get("x-forwarded-for"), peer);
  if (value) copy.set("x-forwarded-for", value);
  return copy;
}

const socketClients = new Map<string, Deno.HttpClient>();

/** One HTTP client per function socket (its connections kept alive, as they are over TCP). */
function socketClient(path: string): Deno.HttpClient {
  let client = socketClients.get(path);
  if (!client) {
    const proxy = { transport: "unix", path } as unknown as Deno.Proxy;
    client = Deno.createHttpClient({ proxy });
    socketClients.set(path, client);
  }
  return client;
}

/** The function was not there to connect to (over TCP, or its socket not made yet): safe to try again. */
function isConnectionError(error: unknown): boolean {
  if (!(error instanceof TypeError)) return false;
  const text = `${error.message} ${String((error as { cause?: unknown }).cause ?? "")}`;
  return /connect|refused|reset/i.test(text);
}

async function forward(
  request: Request,
  url: URL,
  options: GatewayOptions,
  name: string,
  peer: Deno.Addr | undefined,
): Promise<Response> {
  const body = request.body ? await request.arrayBuffer() : null;
  const deadline = Date.now() + (options.bootTimeoutMs ?? 20_000);
  const headers = withForwardedFor(request.headers, peer);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.replace(":", ""));
  while (true) {
    const target = options.functions(name);
    if (!target || target.alive === false) break;
    try {
      const client = target.socket ? socketClient(target.socket) : undefined;
      const origin = target.socket ? "http://localhost" : `http://127.0.0.1:${target.port}`;
      return await fetch(`${origin}${url.pathname}${url.search}`, {
        ...(client ? { client } : {}),
        method: request.method,
        headers,
        body,
        redirect: "manual",
        // No abort signal: a client that goes away cancels the response body, which closes the upstream
        // connection (Deno's request.signal would also fire after successful responses).
      });
    } catch (error) {
      if (!isConnectionError(error) || Date.now() > deadline) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  return Response.json({ code: "BOOT_ERROR", message: "Worker failed to boot (please check logs)" }, {
    status: 503,
  });
}

export function createGateway(options: GatewayOptions): Hono<{ Bindings: Bindings }> {
  const app = new Hono<{ Bindings: Bindings }>();

  // Kong's cors plugin answers every preflight; functions still add their own headers to responses.
  app.options("*", (c) => {
    const headers = c.req.header("access-control-request-headers") ?? "authorization, apikey, content-type";
    return c.body(null, 204, {
      "access-control-allow-origin": c.req.header("origin") ?? "*",
      "access-control-allow-methods": "GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS",
      "access-control-allow-headers": headers,
      "access-control-max-age": "3600",
      "vary": "origin",
    });
  });

  app.all("/functions/v1/:name{[^/]+}/*", async (c) => {
    const name = c.req.param("name");
    const target = options.functions(name);
    if (!target) {
      return c.json({ code: "NOT_FOUND", message: "Requested function was not found" }, 404);
    }
    if (target.verifyJwt) {
      const problem = await verifyJwt(c.req.header("authorization"));
      if (problem) return c.json({ msg: problem }, 401);
    }
    const url = new URL(c.req.url);
    url.pathname = url.pathname.slice("/functions/v1".length);
    try {
      return await forward(c.req.raw, url, options, name, c.env?.remoteAddr);
    } catch (error) {
      console.error(`gateway: ${name} failed:`, error);
      return c.json(
        { code: "WORKER_ERROR", message: "Function exited due to an error (please check logs)" },
        500,
      );
    }
  });

  for (const [prefix, handler] of Object.entries(options.services ?? {})) {
    app.use(`${prefix}/*`, cors({ origin: "*", exposeHeaders: ["x-sb-error-code", "content-range"] }));
    app.all(`${prefix}/*`, (c) => {
      const url = new URL(c.req.url);
      url.pathname = url.pathname.slice(prefix.length) || "/";
      const { method, body } = c.req.raw;
      const headers = withForwardedFor(c.req.raw.headers, c.env?.remoteAddr);
      return handler(new Request(url, { method, headers, body, duplex: "half" } as RequestInit));
    });
  }

  app.notFound((c) => c.json({ message: "no Route matched with those values" }, 404));
  return app;
}
