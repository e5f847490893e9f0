/**
 * The SSRF proof's network. Canaries: TCP listeners on 127.0.0.1, 127.0.0.2 and ::1, all on the one
 * port the forms name, counting every connection. And the functions' way out: an HTTP proxy
 * (`HTTP_PROXY`/`HTTPS_PROXY` of the api and worker under test) that plays a public image provider
 * at `PUBLIC_ORIGIN` (model list, generations answering the image URL the proof chooses, a real
 * PNG, redirects to a canary), passes the stack's own origin through, and records every other
 * request: egress the guard should have stopped. Of those it forwards only the ones for a canary
 * address (so the canaries see them too): the proof itself never calls a real private network.
 * @module
 */
import { MODEL_LIST, PNG_BYTES } from "../../../tests/helpers/fake_images.ts";
import { PUBLIC_ORIGIN } from "./forms.ts";

export interface Canaries {
  port: number;
  /** Connections per listening address. */
  hits: Record<string, number>;
  close(): void;
}

const CANARY_HOSTS = ["127.0.0.1", "127.0.0.2", "::1"];

function count(listener: Deno.Listener, hits: Record<string, number>, host: string) {
  (async () => {
    for await (const connection of listener) {
      hits[host]++;
      connection.close();
    }
  })().catch(() => {});
}

/** Listeners on every canary address, on one port free on all of them. */
export function startCanaries(): Canaries {
  for (let attempt = 0; attempt < 20; attempt++) {
    const first = Deno.listen({ hostname: CANARY_HOSTS[0], port: 0 });
    const port = first.addr.port;
    const listeners = [first];
    try {
      for (const hostname of CANARY_HOSTS.slice(1)) listeners.push(Deno.listen({ hostname, port }));
    } catch {
      listeners.forEach((listener) => listener.close());
      continue;
    }
    const hits = Object.fromEntries(CANARY_HOSTS.map((host) => [host, 0]));
    listeners.forEach((listener, index) => count(listener, hits, CANARY_HOSTS[index]));
    return { port, hits, close: () => listeners.forEach((listener) => listener.close()) };
  }
  throw new Error("no port free on every canary address");
}

export interface Network {
  /** What the functions get as HTTP_PROXY. */
  proxyUrl: string;
  /** Requests for anything but the public provider and the stack: what the guard let out. */
  egress: string[];
  /** Requests the public provider answered. */
  publicCalls: string[];
  close(): Promise<void>;
}

const refused = () => new Response("not on this network", { status: 502 });

async function forward(request: Request): Promise<Response> {
  try {
    return await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  } catch {
    return new Response("unreachable", { status: 502 });
  }
}

/** The public image provider; `imageUrlFor` gives the URL a generation answers for its prompt. */
async function publicProvider(request: Request, imageUrlFor: (prompt: string) => string): Promise<Response> {
  const path = new URL(request.url).pathname;
  if (path === "/v1/models") return Response.json(MODEL_LIST);
  if (path === "/v1/images/generations") {
    const { prompt } = await request.json();
    return Response.json({ created: 1, data: [{ url: imageUrlFor(String(prompt)) }] });
  }
  if (path === "/images/ok.png") return new Response(PNG_BYTES, { headers: { "content-type": "image/png" } });
  const redirect = /^\/redirect\/([^/]+)/.exec(path);
  if (redirect) {
    return new Response(null, { status: 302, headers: { location: decodeURIComponent(redirect[1]) } });
  }
  return Response.json({ error: { message: "not found" } }, { status: 404 });
}

export function startNetwork(stackOrigin: string, imageUrlFor: (prompt: string) => string): Network {
  const egress: string[] = [];
  const publicCalls: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    const line = `${request.method} ${request.url}`;
    if (request.method === "CONNECT") {
      egress.push(line);
      return new Response("no tunnels", { status: 502 });
    }
    const origin = URL.canParse(request.url) ? new URL(request.url).origin : "";
    if (origin === PUBLIC_ORIGIN) {
      publicCalls.push(line);
      return publicProvider(request, imageUrlFor);
    }
    if (origin === stackOrigin) return forward(request);
    egress.push(line);
    const host = URL.canParse(request.url) ? new URL(request.url).hostname : "";
    return CANARY_HOSTS.includes(host.replace(/^\[|\]$/g, "")) ? forward(request) : refused();
  });
  return {
    proxyUrl: `http://127.0.0.1:${server.addr.port}`,
    egress,
    publicCalls,
    close: () => server.shutdown(),
  };
}
