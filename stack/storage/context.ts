/**
 * What every Storage route needs: the database, the object files, the limits, and small readers for
 * the request (its caller, path parameters and JSON body).
 * @module
 */
import type { Context } from "hono";
import { verifyCaller } from "./auth.ts";
import type { CallerRequest, Sql } from "./db.ts";
import { errors } from "./errors.ts";
import type { ObjectFiles } from "./files.ts";

/** The Storage stand-in's shared state. */
export interface StorageContext {
  sql: Sql;
  files: ObjectFiles;
  /** The project-wide upload limit ([storage] file_size_limit). */
  fileSizeLimit: number;
}

/** Verifies the caller of a route that needs one. */
export async function callerOf(c: Context): Promise<CallerRequest> {
  const caller = await verifyCaller(c.req.raw.headers);
  const facts = { method: c.req.method, path: new URL(c.req.url).pathname, headers: c.req.raw.headers };
  return { caller, facts };
}

/** The bucket and object name of `/.../:bucket/:path{.+}` routes (Hono has decoded them). */
export function objectParams(c: Context): { bucket: string; name: string } {
  return { bucket: c.req.param("bucket") ?? "", name: c.req.param("path") ?? "" };
}

/** The JSON object body; anything else is a 400 as Storage's schema validation gives. */
export async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  const body = await c.req.json().catch(() => undefined);
  if (!body || typeof body !== "object" || Array.isArray(body)) {
    throw errors.invalidRequest("body must be object");
  }
  return body as Record<string, unknown>;
}

/** The `?download=` query value: null when absent, "" when given without a file name. */
export function downloadParam(c: Context): string | null {
  return c.req.query("download") ?? null;
}
