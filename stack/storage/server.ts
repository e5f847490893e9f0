/**
 * The Storage stand-in mounted by the gateway under /storage/v1: Supabase Storage's REST routes for
 * buckets, objects and signed URLs, with metadata in storage.buckets/objects (RLS decides, as the
 * caller's role) and the bytes under `<stateDir>/storage/`.
 * @module
 */
import { Hono } from "hono";
import type { StackConfig } from "../config.ts";
import type { PlatformService } from "../service.ts";
import { registerBucketRoutes } from "./buckets.ts";
import type { StorageContext } from "./context.ts";
import { connectStorageDb } from "./db.ts";
import { errors, fromDatabaseError, StorageError } from "./errors.ts";
import { ObjectFiles } from "./files.ts";
import { registerObjectRoutes } from "./objects.ts";
import { registerSignedRoutes } from "./signed.ts";

function errorResponse(error: unknown): Response {
  const known = error instanceof StorageError ? error : fromDatabaseError(error);
  if (known && known.statusCode !== 500) return known.toResponse();
  console.error("storage:", error);
  return (known ?? errors.internal()).toResponse();
}

/** Creates the Storage service; close() ends its database pool. */
export function createStorageServer(config: StackConfig): PlatformService {
  const ctx: StorageContext = {
    sql: connectStorageDb(config),
    files: new ObjectFiles(config.stateDir),
    fileSizeLimit: config.fileSizeLimit,
  };
  const app = new Hono();
  app.get("/status", (c) => c.text("", 200));
  registerBucketRoutes(app, ctx);
  registerSignedRoutes(app, ctx);
  registerObjectRoutes(app, ctx);
  app.notFound((c) =>
    c.json({
      statusCode: "404",
      error: "Not Found",
      message: `Route ${c.req.method}:${c.req.path} not found`,
    }, 404)
  );
  app.onError((error) => errorResponse(error));
  return { fetch: app.fetch, close: () => ctx.sql.end({ timeout: 5 }) };
}
