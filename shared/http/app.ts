/**
 * The app frame every domain's router is mounted on: routes under /api (Supabase hands the `api`
 * function paths that start with its name), request ids and logs, CORS, a body size limit, the error
 * envelope, JSON 404/405, a 429 for a rate limit refused in Postgres, a 503 when the database is
 * unreachable, and a 500 that leaks nothing. Plain Hono: the frame is evaluated at boot, and zod and
 * the OpenAPI registry come with the domains' routers (http/router.ts), when first needed.
 * @module
 */
import { type Context, Hono } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { getPath } from "hono/utils/url";
import { config } from "../config/env.ts";
import { isConnectionError } from "../db/connection-errors.ts";
import { isUnstorableText } from "../db/unstorable-text.ts";
import { ApiError } from "../errors/api-error.ts";
import { rateLimitError } from "../limits/service.ts";
import { corsHeaders } from "./cors.ts";
import { DRAIN_FACTOR, drainBody } from "./drain.ts";
import { errorResponse } from "./errors.ts";
import { requestContext } from "./request-context.ts";
import { securityHeaders } from "./security-headers.ts";
import type { AppEnv } from "./types.ts";

/** The frame: the routes of the domains mounted so far (see http/lazy-routes.ts). */
export type App = Hono<AppEnv>;

/** A path matches a route of another method: the answer is 405, not 404. */
function methodsFor(app: App, path: string): string[] {
  const methods = app.routes.filter((route) => route.method !== "ALL" && pathPattern(route.path).test(path))
    .map((route) => route.method);
  return [...new Set(methods)];
}

function pathPattern(path: string): RegExp {
  const source = path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/:[A-Za-z_]+(\{[^}]+\})?/g, "[^/]+")
    .replace(/\*/g, ".*");
  return new RegExp(`^${source}/?$`);
}

function handleError(raised: Error, c: Context<AppEnv>) {
  // A rate limit refused in Postgres (a trigger's included): the 429 it stands for.
  const error = rateLimitError(raised) ?? raised;
  if (error instanceof ApiError) {
    for (const [name, value] of Object.entries(error.headers)) c.header(name, value);
    return errorResponse(c, error.status, error.code, error.detail);
  }
  if (error instanceof HTTPException) {
    if (error.status === 415) {
      const detail = "Send the request body as JSON (Content-Type: application/json).";
      return errorResponse(c, 415, "unsupported_media_type", detail);
    }
    const status = error.status as 400;
    const detail = /JSON/i.test(error.message) ? "The request body is not valid JSON." : error.message;
    return errorResponse(c, status, status === 400 ? "invalid_request" : "http_error", detail);
  }
  if (isUnstorableText(error)) {
    return errorResponse(c, 422, "invalid_text", "Text may not contain the NUL character (\\u0000).");
  }
  if (isConnectionError(error)) {
    console.error(JSON.stringify({
      level: "warn",
      msg: "database unavailable",
      request_id: c.get("requestId"),
      error: (error as { code?: string }).code ?? error.name,
    }));
    c.header("Retry-After", "1");
    return errorResponse(c, 503, "service_unavailable", "The database is unavailable. Try again shortly.");
  }
  console.error(JSON.stringify({
    level: "error",
    msg: "unhandled error",
    request_id: c.get("requestId"),
    error: error.name,
    // Messages of unexpected errors stay in the log, never in the response.
    message: error.message,
  }));
  return errorResponse(c, 500, "internal_error", "Something went wrong on our side. Try again later.");
}

/** A router whose every request fails with `error` (answered by the app's error handler). */
export function failingRouter(error: unknown): App {
  return new Hono<AppEnv>().all("*", () => {
    throw error;
  });
}

export interface AppOptions {
  /**
   * Paths (under `basePath`) whose handlers read their body with `readUpload` (http/upload.ts),
   * which holds them to their own, larger limits: the body limit for JSON does not apply there.
   */
  uploadPaths?: string[];
  /** Maps a request's path before routing (aliases that stay out of the OpenAPI document). */
  rewritePath?: (path: string) => string;
}

/** The app under `basePath` (Supabase hands a function paths that start with its name). */
export function createApp(basePath = "/api", { uploadPaths = [], rewritePath }: AppOptions = {}): App {
  const app = new Hono<AppEnv>(rewritePath ? { getPath: (request) => rewritePath(getPath(request)) } : {})
    .basePath(basePath);
  const { corsOrigins, maxBodyBytes } = config();
  const uploads = new Set(uploadPaths.map((path) => basePath + path));
  app.use("*", requestContext);
  // A request answered without reading its body (refused before it: a 401 on an upload, a 404, a 405,
  // a 413 by its length) has it drained before the answer goes, or the connection would be reset under
  // the client.
  app.use("*", async (c, next) => {
    await next();
    await drainBody(c.req.raw, maxBodyBytes * DRAIN_FACTOR);
  });
  app.use("*", securityHeaders);
  app.use(
    "*",
    corsHeaders({ origin: corsOrigins, exposeHeaders: ["X-Request-ID", "X-Next-Cursor", "Link"] }),
  );
  const limitBody = bodyLimit({
    maxSize: maxBodyBytes,
    onError: (c) =>
      errorResponse(
        c,
        413,
        "payload_too_large",
        `The request body is larger than ${maxBodyBytes} bytes.`,
      ),
  });
  app.use("*", (c, next) => uploads.has(c.req.path) ? next() : limitBody(c, next));
  app.notFound((c) => {
    const allowed = methodsFor(app, c.req.path);
    if (allowed.length > 0) {
      c.header("Allow", allowed.join(", "));
      return errorResponse(c, 405, "method_not_allowed", `Method ${c.req.method} is not allowed here.`);
    }
    return errorResponse(c, 404, "not_found", `No route for ${c.req.method} ${c.req.path}.`);
  });
  app.onError(handleError);
  return app;
}
