/**
 * Default routes: the landing answer at /api and /api/v1 (HTML for browsers) and the health check.
 * Plain Hono, without zod: a health check is what a fresh isolate answers first, so it evaluates only
 * the app frame and the database client. Their OpenAPI definitions are in ./openapi.ts.
 * @module
 */
import { Hono } from "hono";
import { prefersHtml } from "../http/accept.ts";
import type { AppEnv } from "../http/types.ts";
import { checkDatabase } from "./service.ts";

export const API_VERSION = "1.0.0";

/** The landing routes' and the health check's paths. */
export const LANDING_PATHS = ["/", "/v1"];
export const HEALTH_PATHS = ["/health", "/v1/health"];

const landing = (base: string) => ({
  message: "PocketLLM backend is running",
  version: API_VERSION,
  docs: `${base}/docs`,
  openapi: `${base}/openapi.json`,
  health: `${base}/health`,
});

const landingHtml = (links: ReturnType<typeof landing>) =>
  `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>PocketLLM API</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>PocketLLM API</h1><p>${links.message} (v${links.version}).</p>
<ul><li><a href="${links.docs}">Interactive docs</a></li><li><a href="${links.openapi}">OpenAPI document</a></li>
<li><a href="${links.health}">Health</a></li></ul></body></html>`;

export function healthRoutes() {
  const router = new Hono<AppEnv>();
  for (const path of LANDING_PATHS) {
    router.get(path, (c) => {
      const links = landing("/api");
      return prefersHtml(c.req.header("accept")) ? c.html(landingHtml(links)) : c.json(links, 200);
    });
  }
  for (const path of HEALTH_PATHS) {
    router.get(path, async (c) => {
      const database = await checkDatabase();
      const body = {
        status: database === "ok" ? "ok" as const : "degraded" as const,
        timestamp: new Date().toISOString(),
        version: API_VERSION,
        checks: { database },
      };
      return c.json(body, database === "ok" ? 200 : 503);
    });
  }
  return router;
}
