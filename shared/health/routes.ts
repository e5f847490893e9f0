/**
 * Default routes: the landing answer at /api and /api/v1 (HTML for browsers) and the health check.
 * @module
 */
import { prefersHtml } from "../http/accept.ts";
import { createRoute } from "@hono/zod-openapi";
import { createRouter } from "../http/app.ts";
import { HealthResponse, RootResponse } from "./schemas.ts";
import { checkDatabase } from "./service.ts";

export const API_VERSION = "1.0.0";

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

const rootRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["default"],
    summary: "Landing: what this API is and where its docs are",
    responses: {
      200: {
        description: "JSON, or an HTML page when the client prefers HTML",
        content: {
          "application/json": { schema: RootResponse },
          "text/html": { schema: { type: "string" } },
        },
      },
    },
  });

const healthRoute = (path: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["default"],
    summary: "Health, with a database check",
    responses: {
      200: { description: "Healthy", content: { "application/json": { schema: HealthResponse } } },
      503: {
        description: "The database is unreachable",
        content: { "application/json": { schema: HealthResponse } },
      },
    },
  });

export function healthRoutes() {
  const router = createRouter();
  for (const path of ["/", "/v1"]) {
    router.openapi(rootRoute(path), (c) => {
      const links = landing("/api");
      return prefersHtml(c.req.header("accept")) ? c.html(landingHtml(links)) : c.json(links, 200);
    });
  }
  for (const path of ["/health", "/v1/health"]) {
    router.openapi(healthRoute(path), async (c) => {
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
