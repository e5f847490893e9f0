/**
 * The local Auth server (GoTrue REST contract) mounted by the gateway under /auth/v1.
 * @module
 */
import { Hono } from "hono";
import type { StackConfig } from "../config.ts";
import { PUBLIC_JWKS } from "../keys.ts";
import type { PlatformService } from "../service.ts";

export function createAuthServer(_config: StackConfig): PlatformService {
  const app = new Hono();
  app.get("/health", (c) =>
    c.json({
      version: "v2.189.0",
      name: "GoTrue",
      description: "GoTrue is a user registration and authentication API",
    }));
  app.get(
    "/.well-known/jwks.json",
    (c) => c.json(PUBLIC_JWKS, 200, { "cache-control": "public, max-age=600" }),
  );
  return { fetch: app.fetch, close: async () => {} };
}
