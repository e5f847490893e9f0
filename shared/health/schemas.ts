import { z } from "@hono/zod-openapi";

export const HealthResponse = z.object({
  status: z.enum(["ok", "degraded"]),
  timestamp: z.string(),
  version: z.string(),
  checks: z.object({ database: z.enum(["ok", "error"]) }),
}).openapi("HealthResponse");

export const RootResponse = z.object({
  message: z.string(),
  version: z.string(),
  docs: z.string(),
  openapi: z.string(),
  health: z.string(),
}).openapi("RootResponse");
