/**
 * Signed URLs: creating them (the caller must be able to read the object) and downloading through
 * them (the token alone authorises; it names `<bucket>/<name>` and expires).
 * @module
 */
import type { Context, Hono } from "hono";
import { signObjectToken, verifyObjectToken } from "./auth.ts";
import { callerOf, downloadParam, jsonBody, objectParams, type StorageContext } from "./context.ts";
import { asCaller } from "./db.ts";
import { objectResponse } from "./download.ts";
import { errors } from "./errors.ts";
import { findObject, visibleNames } from "./object-store.ts";

function expiresInOf(body: Record<string, unknown>): number {
  const expiresIn = body.expiresIn;
  if (typeof expiresIn !== "number" || !Number.isInteger(expiresIn) || expiresIn < 1) {
    throw errors.invalidRequest("body/expiresIn must be an integer >= 1");
  }
  return expiresIn;
}

async function signedUrlFor(bucket: string, name: string, expiresIn: number): Promise<string> {
  const url = `${bucket}/${name}`;
  return `/object/sign/${url}?token=${await signObjectToken(url, expiresIn)}`;
}

async function signOne(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const { bucket, name } = objectParams(c);
  const expiresIn = expiresInOf(await jsonBody(c));
  const row = await asCaller(ctx.sql, request, (tx) => findObject(tx, bucket, name));
  if (!row) throw errors.noSuchKey();
  return c.json({ signedURL: await signedUrlFor(bucket, name, expiresIn) });
}

async function signMany(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const body = await jsonBody(c);
  const expiresIn = expiresInOf(body);
  const paths = body.paths;
  if (!Array.isArray(paths) || paths.some((path) => typeof path !== "string")) {
    throw errors.invalidRequest("body/paths must be an array of strings");
  }
  const bucket = c.req.param("bucket") ?? "";
  const visible = await asCaller(ctx.sql, request, (tx) => visibleNames(tx, bucket, paths));
  const results = await Promise.all(paths.map(async (path) => {
    if (!visible.has(path)) {
      return {
        error: "Either the object does not exist or you do not have access to it",
        path,
        signedURL: null,
      };
    }
    return { error: null, path, signedURL: await signedUrlFor(bucket, path, expiresIn) };
  }));
  return c.json(results);
}

async function downloadSigned(c: Context, ctx: StorageContext): Promise<Response> {
  const token = c.req.query("token");
  if (!token) throw errors.invalidRequest("querystring must have required property 'token'");
  const granted = await verifyObjectToken(token);
  const { bucket, name } = objectParams(c);
  if (granted !== `${bucket}/${name}`) throw errors.invalidSignature();
  const row = await findObject(ctx.sql, bucket, name);
  if (!row) throw errors.noSuchKey();
  return await objectResponse(ctx.files, row, downloadParam(c));
}

/** Registers the /object/sign routes; call before the generic object routes. */
export function registerSignedRoutes(app: Hono, ctx: StorageContext): void {
  app.post("/object/sign/:bucket/:path{.+}", (c) => signOne(c, ctx));
  app.post("/object/sign/:bucket", (c) => signMany(c, ctx));
  app.get("/object/sign/:bucket/:path{.+}", (c) => downloadSigned(c, ctx));
}
