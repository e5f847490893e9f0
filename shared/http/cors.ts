/**
 * CORS for every answer: `Access-Control-Allow-Origin` (any origin, or the configured ones echoed with
 * `Vary: Origin`) and the headers a browser app may read (`Access-Control-Expose-Headers`). Preflights
 * are hono/cors's. For other requests the same headers are set on the answer itself once it is made:
 * hono/cors sets them before the route runs, on a placeholder answer whose headers every answer then
 * copies, twice (hono's context), and on the hosted runtime's Deno each copy goes through the Fetch
 * spec's header conversions — ~40 % of a small request's allocations there (bench/README.md).
 * @module
 */
import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

export interface CorsOptions {
  /** `"*"`, or the origins allowed. */
  origin: string | string[];
  exposeHeaders: string[];
}

export function corsHeaders({ origin, exposeHeaders }: CorsOptions): MiddlewareHandler {
  const preflight = cors({ origin, exposeHeaders });
  const exposed = exposeHeaders.join(",");
  const origins = new Set([origin].flat());
  const allowed = (requestOrigin: string) =>
    origin === "*" ? "*" : origins.has(requestOrigin) ? requestOrigin : null;
  return async (c, next) => {
    if (c.req.method === "OPTIONS") return await preflight(c, next);
    await next();
    const headers = c.res.headers;
    const allow = allowed(c.req.header("origin") ?? "");
    if (allow) headers.set("Access-Control-Allow-Origin", allow);
    headers.set("Access-Control-Expose-Headers", exposed);
    if (origin !== "*") headers.append("Vary", "Origin");
  };
}
