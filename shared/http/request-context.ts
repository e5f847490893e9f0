/**
 * Request id (`X-Request-ID`, echoed or new) and one structured JSON log line per request.
 * The line never carries a token, a key, a body or a query string.
 * @module
 */
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { matchedRoutes } from "hono/route";
import type { AppEnv } from "./types.ts";

const VALID_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The pattern of the route that answered, or null when only middleware matched (404/405). Middleware
 * is registered for every method (`ALL`), and may match after the route (a domain's `/v1/chats/*`).
 */
function matchedRoute(c: Context): string | null {
  return matchedRoutes(c).findLast((route) => route.method !== "ALL")?.path ?? null;
}

export const requestContext = createMiddleware<AppEnv>(async (c, next) => {
  const incoming = c.req.header("x-request-id");
  const requestId = incoming && VALID_REQUEST_ID.test(incoming) ? incoming : crypto.randomUUID();
  c.set("requestId", requestId);
  const started = performance.now();
  await next();
  // On the answer itself: `c.header` after it is made would copy the whole answer (see ./cors.ts).
  c.res.headers.set("X-Request-ID", requestId);
  console.log(JSON.stringify({
    level: c.res.status >= 500 ? "error" : "info",
    msg: "request",
    method: c.req.method,
    route: matchedRoute(c),
    status: c.res.status,
    duration_ms: Math.round((performance.now() - started) * 10) / 10,
    request_id: requestId,
    user_id: c.get("claims")?.sub ?? null,
  }));
});
