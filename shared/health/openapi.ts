/**
 * The OpenAPI definitions of the landing routes and the health check, apart from their handlers
 * (./routes.ts), which need no zod: only the OpenAPI document loads these.
 * @module
 */
import { createRoute } from "@hono/zod-openapi";
import { createRouter, type Router } from "../http/router.ts";
import { HEALTH_PATHS, LANDING_PATHS } from "./routes.ts";
import { HealthResponse, RootResponse } from "./schemas.ts";

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

/** A router holding the definitions only, in the order the handlers are mounted. */
export function healthDocs(): Router {
  const router = createRouter();
  for (const path of LANDING_PATHS) router.openAPIRegistry.registerPath(rootRoute(path));
  for (const path of HEALTH_PATHS) router.openAPIRegistry.registerPath(healthRoute(path));
  return router;
}
