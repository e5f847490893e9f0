/**
 * The `api` function's application. Supabase hands the function paths that start with its name,
 * so every route lives under /api.
 * @module
 */
import { Hono } from "hono";

export const API_VERSION = "1.0.0";

export function createApiApp(): Hono {
  const app = new Hono().basePath("/api");
  const health = () => ({ status: "ok", timestamp: new Date().toISOString(), version: API_VERSION });
  app.get("/health", (c) => c.json(health()));
  app.get("/v1/health", (c) => c.json(health()));
  return app;
}
