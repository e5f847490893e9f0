/**
 * The Storage stand-in mounted by the gateway under /storage/v1.
 * @module
 */
import { Hono } from "hono";
import type { StackConfig } from "../config.ts";
import type { PlatformService } from "../service.ts";

export function createStorageServer(_config: StackConfig): PlatformService {
  const app = new Hono();
  app.get("/status", (c) => c.text("", 200));
  return { fetch: app.fetch, close: async () => {} };
}
