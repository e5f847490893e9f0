/**
 * The object routes: upload (POST, PUT or x-upsert: true to replace), download (also
 * /authenticated/ and /public/), info, list, and remove. Reads and writes run as the caller, so the
 * RLS policies on storage.objects decide; bucket lookups run as Storage itself.
 * @module
 */
import type { Context, Hono } from "hono";
import { subjectOf } from "./auth.ts";
import { callerOf, downloadParam, jsonBody, objectParams, type StorageContext } from "./context.ts";
import { actAs, asCaller, type CallerRequest, transaction } from "./db.ts";
import { objectResponse } from "./download.ts";
import { errors } from "./errors.ts";
import { listFolder, parseListOptions } from "./listing.ts";
import {
  deleteObjects,
  findBucketLimits,
  findObject,
  insertObject,
  lockCurrentVersion,
  type NewObject,
  type ObjectRow,
  upsertObject,
  versionOf,
} from "./object-store.ts";
import { describeUpload, readUpload } from "./upload.ts";
import { mustBeAllowedMimeType, mustBeValidKey } from "./validation.ts";

async function removeFiles(ctx: StorageContext, rows: ObjectRow[]): Promise<void> {
  await Promise.all(rows.map((row) => ctx.files.remove(row.bucket_id, row.name, versionOf(row))));
}

/** Deletes every object of a bucket the caller may delete (POST /bucket/:id/empty). */
export async function deleteAllObjects(
  ctx: StorageContext,
  request: CallerRequest,
  bucket: string,
): Promise<void> {
  const rows = await asCaller(ctx.sql, request, (tx) =>
    tx<ObjectRow[]>`
    delete from storage.objects where bucket_id = ${bucket} returning *`);
  await removeFiles(ctx, rows);
}

/**
 * Writes the row as the caller and moves the bytes into place in one transaction, so a refused
 * upload leaves no file; the version an upsert replaced is deleted once the new one is committed.
 */
async function storeObject(
  ctx: StorageContext,
  request: CallerRequest,
  object: NewObject,
  bytes: Uint8Array,
  upsert: boolean,
): Promise<ObjectRow> {
  const staged = await ctx.files.stage(bytes);
  try {
    const { row, replaced } = await transaction(ctx.sql, async (tx) => {
      const replaced = upsert ? await lockCurrentVersion(tx, object.bucket, object.name) : null;
      await actAs(tx, request);
      const row = upsert ? await upsertObject(tx, object) : await insertObject(tx, object);
      await ctx.files.place(staged, object.bucket, object.name, object.version);
      return { row, replaced };
    });
    if (replaced && replaced !== object.version) await ctx.files.remove(object.bucket, object.name, replaced);
    return row;
  } finally {
    await ctx.files.discard(staged);
  }
}

async function upload(c: Context, ctx: StorageContext, upsert: boolean): Promise<Response> {
  const request = await callerOf(c);
  const { bucket, name } = objectParams(c);
  mustBeValidKey(name);
  const limits = await findBucketLimits(ctx.sql, bucket);
  if (!limits) throw errors.noSuchBucket();
  const received = await readUpload(
    c.req.raw,
    Math.min(ctx.fileSizeLimit, limits.file_size_limit ?? Infinity),
  );
  mustBeAllowedMimeType(received.contentType, limits.allowed_mime_types);
  const object: NewObject = {
    bucket,
    name,
    owner: subjectOf(request.caller),
    version: crypto.randomUUID(),
    metadata: describeUpload(received),
    userMetadata: received.userMetadata,
  };
  const row = await storeObject(ctx, request, object, received.bytes, upsert);
  return c.json({ Id: row.id, Key: `${bucket}/${name}` });
}

async function download(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const { bucket, name } = objectParams(c);
  const row = await asCaller(ctx.sql, request, (tx) => findObject(tx, bucket, name));
  if (!row) throw errors.noSuchKey();
  return await objectResponse(ctx.files, row, downloadParam(c));
}

async function downloadPublic(c: Context, ctx: StorageContext): Promise<Response> {
  const { bucket, name } = objectParams(c);
  const limits = await findBucketLimits(ctx.sql, bucket);
  if (!limits?.public) throw errors.noSuchBucket();
  const row = await findObject(ctx.sql, bucket, name);
  if (!row) throw errors.noSuchKey();
  return await objectResponse(ctx.files, row, downloadParam(c));
}

async function info(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const { bucket, name } = objectParams(c);
  const row = await asCaller(ctx.sql, request, (tx) => findObject(tx, bucket, name));
  if (!row) throw errors.noSuchKey();
  return c.json({
    id: row.id,
    name: row.name,
    version: row.version,
    bucket_id: row.bucket_id,
    size: row.metadata?.size ?? null,
    content_type: row.metadata?.mimetype ?? null,
    cache_control: row.metadata?.cacheControl ?? null,
    etag: row.metadata?.eTag ?? null,
    metadata: row.user_metadata ?? {},
    last_modified: row.metadata?.lastModified ?? row.updated_at,
    created_at: row.created_at,
  });
}

async function list(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const options = parseListOptions(await jsonBody(c));
  const bucket = c.req.param("bucket") ?? "";
  const entries = await asCaller(ctx.sql, request, (tx) => listFolder(tx, bucket, options));
  return c.json(entries);
}

async function removeMany(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const { prefixes } = await jsonBody(c);
  const valid = Array.isArray(prefixes) && prefixes.length > 0 &&
    prefixes.every((p) => typeof p === "string");
  if (!valid) throw errors.invalidRequest("body/prefixes must be a non-empty array of strings");
  const bucket = c.req.param("bucket") ?? "";
  const rows = await asCaller(ctx.sql, request, (tx) => deleteObjects(tx, bucket, prefixes));
  await removeFiles(ctx, rows);
  return c.json(rows);
}

async function removeOne(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const { bucket, name } = objectParams(c);
  const rows = await asCaller(ctx.sql, request, async (tx) => {
    if (!await findObject(tx, bucket, name)) throw errors.noSuchKey();
    return await deleteObjects(tx, bucket, [name]);
  });
  await removeFiles(ctx, rows);
  return c.json({ message: "Successfully deleted" });
}

/** Registers the object routes; call after the more specific /object/sign routes. */
export function registerObjectRoutes(app: Hono, ctx: StorageContext): void {
  const objectPath = ":bucket/:path{.+}";
  app.post("/object/list/:bucket", (c) => list(c, ctx));
  app.get(`/object/info/authenticated/${objectPath}`, (c) => info(c, ctx));
  app.get(`/object/info/${objectPath}`, (c) => info(c, ctx));
  app.get(`/object/public/${objectPath}`, (c) => downloadPublic(c, ctx));
  app.get(`/object/authenticated/${objectPath}`, (c) => download(c, ctx));
  app.get(`/object/${objectPath}`, (c) => download(c, ctx));
  app.post(`/object/${objectPath}`, (c) => upload(c, ctx, c.req.header("x-upsert") === "true"));
  app.put(`/object/${objectPath}`, (c) => upload(c, ctx, true));
  app.delete(`/object/${objectPath}`, (c) => removeOne(c, ctx));
  app.delete("/object/:bucket", (c) => removeMany(c, ctx));
}
