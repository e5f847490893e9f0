/**
 * Fake LLM provider servers for tests: one `Deno.serve` on a free port per fake, speaking one
 * provider's wire format (model lists from `provider_fixtures.ts`, its auth headers, its 401 body).
 *
 *   await using groq = startFakeProvider("groq");
 *   // activate with base_url: groq.baseUrl, then:
 *   groq.count("/models");               // requests seen
 *   groq.behaviour.rejectKeys = true;     // every key gets the provider's 401
 *   groq.behaviour.delayMs = 3_000;       // slow: trips a short timeout
 *   groq.behaviour.failStatus = 503;      // outage
 *   groq.route("POST", "/chat/completions", (request) => Response.json({...}));  // extend
 *
 * Paths are relative to `baseUrl` (`http://127.0.0.1:<port>/v1`). Behaviour switches apply to every
 * route, added ones included; `authorized(request)` tells a route whether the key was accepted.
 * @module
 */
import type { ProviderId } from "../../shared/llm/providers.ts";
import { badKeyBody, MODEL_LISTS, OUTAGE_BODY } from "./provider_fixtures.ts";

export interface FakeBehaviour {
  /** Answer every authenticated route with the provider's 401. */
  rejectKeys: boolean;
  /** Wait this long before answering. */
  delayMs: number;
  /** Answer every route with this status and an outage body. */
  failStatus: number | null;
  /** Put the full presented key in 401 reasons (to prove the API redacts it). */
  echoKeyInErrors: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Path relative to the base URL, e.g. `/models`. */
  path: string;
  search: string;
  /** The key presented (Bearer or x-api-key), if any. */
  key: string | null;
}

export type FakeRoute = (request: Request, fake: FakeProvider) => Response | Promise<Response>;

export interface FakeProviderOptions {
  /** The model list to serve (default: the provider's fixture). */
  models?: unknown;
  /** Only these keys are accepted (default: any key). */
  validKeys?: string[];
  /** Anthropic: page size cap, to exercise cursor pages. */
  pageSize?: number;
}

const BASE_PATH = "/v1";
const PUBLIC_MODEL_LISTS: ProviderId[] = ["openrouter", "imagerouter"];

export class FakeProvider {
  readonly requests: RecordedRequest[] = [];
  readonly behaviour: FakeBehaviour = {
    rejectKeys: false,
    delayMs: 0,
    failStatus: null,
    echoKeyInErrors: false,
  };
  #routes = new Map<string, FakeRoute>();
  #server: Deno.HttpServer<Deno.NetAddr>;
  #closing = new AbortController();

  constructor(readonly provider: ProviderId, readonly options: FakeProviderOptions = {}) {
    this.#server = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen: () => {} },
      (request) => this.#handle(request),
    );
    this.#installModelRoutes();
  }

  /** What to put in a provider row's `base_url`. */
  get baseUrl(): string {
    return `http://127.0.0.1:${this.#server.addr.port}${BASE_PATH}`;
  }

  /** Requests seen, optionally only those to `path`. */
  count(path?: string): number {
    return this.requests.filter((request) => !path || request.path === path).length;
  }

  /** Adds or replaces the handler of `method path` (path relative to the base URL). */
  route(method: string, path: string, handler: FakeRoute): this {
    this.#routes.set(`${method.toUpperCase()} ${path}`, handler);
    return this;
  }

  /** The key a request presents, in this provider's header. */
  keyOf(request: Request): string | null {
    if (this.provider === "anthropic") return request.headers.get("x-api-key");
    return /^Bearer\s+(.+)$/i.exec(request.headers.get("authorization") ?? "")?.[1] ?? null;
  }

  /** Whether the request's key is accepted under the current behaviour. */
  authorized(request: Request): boolean {
    const key = this.keyOf(request);
    if (!key || this.behaviour.rejectKeys) return false;
    return !this.options.validKeys || this.options.validKeys.includes(key);
  }

  /** The provider's 401 for this request. */
  unauthorized(request: Request): Response {
    const key = this.keyOf(request) ?? "";
    const body = this.behaviour.echoKeyInErrors
      ? { error: { message: `Incorrect API key provided: ${key}`, type: "invalid_request_error" } }
      : badKeyBody(this.provider, key);
    return Response.json(body, { status: 401 });
  }

  async close(): Promise<void> {
    this.#closing.abort();
    await this.#server.shutdown();
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const path = url.pathname.startsWith(BASE_PATH) ? url.pathname.slice(BASE_PATH.length) : url.pathname;
    this.requests.push({ method: request.method, path, search: url.search, key: this.keyOf(request) });
    await this.#delay();
    if (this.behaviour.failStatus) return Response.json(OUTAGE_BODY, { status: this.behaviour.failStatus });
    const route = this.#routes.get(`${request.method} ${path}`);
    if (!route) {
      return Response.json({ error: { message: `No route ${request.method} ${path}` } }, { status: 404 });
    }
    return await route(request, this);
  }

  /** The slow switch; closing the fake ends every wait, so shutdown never hangs. */
  #delay(): Promise<void> {
    if (this.behaviour.delayMs <= 0) return Promise.resolve();
    const closing = this.#closing.signal;
    return new Promise((resolve) => {
      const timer = setTimeout(done, this.behaviour.delayMs);
      function done() {
        clearTimeout(timer);
        closing.removeEventListener("abort", done);
        resolve();
      }
      closing.addEventListener("abort", done);
    });
  }

  #installModelRoutes(): void {
    const models = this.options.models ?? MODEL_LISTS[this.provider];
    const requireKey = !PUBLIC_MODEL_LISTS.includes(this.provider);
    this.route("GET", "/models", (request) => {
      if (requireKey && !this.authorized(request)) return this.unauthorized(request);
      if (this.provider === "anthropic") return this.#anthropicPage(request, models);
      return Response.json(models);
    });
    const keyCheck = { openrouter: "/key", imagerouter: "/credits" }[this.provider as string];
    if (keyCheck) {
      this.route(
        "GET",
        keyCheck,
        (request) =>
          this.authorized(request)
            ? Response.json({ data: { label: "fake", usage: 0, limit: null }, remaining_credits: "1.0000" })
            : this.unauthorized(request),
      );
    }
  }

  /** Anthropic's cursor pages over the fixture's `data` (`limit`, `after_id`). */
  #anthropicPage(request: Request, list: unknown): Response {
    if (!request.headers.get("anthropic-version")) {
      return Response.json({
        type: "error",
        error: { type: "invalid_request_error", message: "anthropic-version header is required" },
      }, {
        status: 400,
      });
    }
    const all = (list as { data: { id: string }[] }).data;
    const params = new URL(request.url).searchParams;
    const limit = Math.min(Number(params.get("limit") ?? 20), this.options.pageSize ?? Infinity);
    const start = params.get("after_id")
      ? all.findIndex((model) => model.id === params.get("after_id")) + 1
      : 0;
    const data = all.slice(start, start + limit);
    return Response.json({
      data,
      has_more: start + limit < all.length,
      first_id: data[0]?.id ?? null,
      last_id: data.at(-1)?.id ?? null,
    });
  }
}

/** A running fake of `provider` (listening already); close it, or `await using` it, when the test ends. */
export function startFakeProvider(provider: ProviderId, options: FakeProviderOptions = {}): FakeProvider {
  return new FakeProvider(provider, options);
}
