/**
 * Routes mounted when first needed: a domain's router is imported on the first request that could
 * reach one of its routes, so a fresh isolate evaluates the app frame only, and a request the
 * domains it needs (their schemas, zod, the OpenAPI registry, jose...). Concurrent first requests
 * share one import. The loaders are string-literal `import()`s, which the deploy follows.
 *
 * Which domains a request could reach is read from its path's first segments ({@link pathKey}):
 * every route of a domain starts with one of the domain's keys (tests/unit/lazy_routes_test.ts holds
 * every route to it). So a request meets exactly the routes and middleware, and gets exactly the
 * 404 or 405, it would meet with every domain mounted; the app is composed again, domains in their
 * declared order, whenever one is added.
 * @module
 */
import { loadOnce } from "../runtime/load-once.ts";

export interface LazyDomain<R> {
  /** The path keys ({@link pathKey}) its routes start with. */
  keys: string[];
  /** Its router: a string-literal `import()` of its routes. */
  load: () => Promise<R>;
  /** A router holding its OpenAPI definitions, where `load`'s holds none (health, without zod). */
  loadDocs?: () => Promise<R>;
}

/** What answers requests: an app composed of the routers mounted so far. */
export interface Fetcher {
  /** `env`: what the server passes beside the request (Deno.serve: the connection's info). */
  fetch(request: Request, env?: unknown): Response | Promise<Response>;
}

/**
 * The segments that choose a path's domains, under `basePath`: "/api/v1/chats/x" → "v1/chats",
 * "/api/v1" → "v1", "/api/health" → "health", "/api" → ""; undefined outside `basePath`.
 */
export function pathKey(basePath: string, path: string): string | undefined {
  if (path !== basePath && !path.startsWith(`${basePath}/`)) return undefined;
  const segments = path.slice(basePath.length).split("/").slice(1);
  return segments[0] === "v1" && segments.length > 1 ? `v1/${segments[1]}` : segments[0] ?? "";
}

export class LazyRoutes<R> {
  readonly #domains: Map<string, LazyDomain<R>>;
  /** Path key → the names of the domains with routes under it. */
  readonly #byKey = new Map<string, string[]>();
  readonly #loaded = new Map<string, R>();
  /** Name → its router, imported on the first call (a failed import is tried again by the next). */
  readonly #loaders = new Map<string, () => Promise<R>>();
  #mounted = new Set<string>();
  #app: Fetcher;

  constructor(
    domains: Record<string, LazyDomain<R>>,
    /** The app of these routers (in the domains' declared order). */
    private readonly compose: (routers: R[]) => Fetcher,
    /** The path key of a request. */
    private readonly keyOf: (request: Request) => string | undefined,
    /**
     * A router that fails every request with `error`: mounted for the one request whose domain
     * could not be imported, so the app answers it as it answers any fault of ours.
     */
    private readonly failing?: (error: unknown) => R,
  ) {
    this.#domains = new Map(Object.entries(domains));
    for (const [name, domain] of this.#domains) {
      for (const key of domain.keys) this.#byKey.set(key, [...this.#byKey.get(key) ?? [], name]);
      this.#loaders.set(
        name,
        loadOnce(async () => {
          const router = await domain.load();
          this.#loaded.set(name, router);
          return router;
        }),
      );
    }
    this.#app = compose([]);
  }

  /** The names of the domains a request could reach. */
  domainsFor(request: Request): string[] {
    const key = this.keyOf(request);
    return key === undefined ? [] : this.#byKey.get(key) ?? [];
  }

  fetch = (request: Request, env?: unknown): Response | Promise<Response> => {
    const needed = this.domainsFor(request);
    if (needed.every((name) => this.#mounted.has(name))) return this.#app.fetch(request, env);
    return this.#mountThenFetch(needed, request, env);
  };

  async #mountThenFetch(needed: string[], request: Request, env: unknown): Promise<Response> {
    try {
      await Promise.all(needed.map((name) => this.#load(name)));
    } catch (error) {
      if (!this.failing) throw error;
      return await this.compose([...this.#loadedInOrder(), this.failing(error)]).fetch(request, env);
    }
    if (!needed.every((name) => this.#mounted.has(name))) this.#remount();
    return this.#app.fetch(request, env);
  }

  /** Every domain's router for the OpenAPI document (its definitions-only one where it has one). */
  async documented(): Promise<R[]> {
    return await Promise.all(
      [...this.#domains].map(([name, domain]) => domain.loadDocs ? domain.loadDocs() : this.#load(name)),
    );
  }

  #load(name: string): Promise<R> {
    return this.#loaders.get(name)!();
  }

  #loadedInOrder(): R[] {
    return [...this.#domains.keys()].flatMap((name) =>
      this.#loaded.has(name) ? [this.#loaded.get(name)!] : []
    );
  }

  #remount() {
    this.#app = this.compose(this.#loadedInOrder());
    this.#mounted = new Set(this.#loaded.keys());
  }
}
