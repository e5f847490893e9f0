/**
 * The bucket routes (`/bucket`, `/bucket/:id`, `/bucket/:id/empty`). They run as the caller, so on
 * storage.buckets (RLS on, no policies) only service_role gets anywhere, as on Supabase.
 * @module
 */
import type { Context, Hono } from "hono";
import { subjectOf } from "./auth.ts";
import { callerOf, jsonBody, type StorageContext } from "./context.ts";
import { asCaller, type Tx } from "./db.ts";
import { errors } from "./errors.ts";
import { findBucketLimits, uuidOrNull } from "./object-store.ts";
import { deleteAllObjects } from "./objects.ts";
import { mustBeValidBucketName, parseFileSizeLimit } from "./validation.ts";

const BUCKET_SORT_COLUMNS = new Set(["id", "name", "created_at", "updated_at"]);

function bucketColumns(tx: Tx) {
  return tx`id, name, owner, owner_id, public, 'STANDARD' as type, file_size_limit::float8 as file_size_limit,
    allowed_mime_types, created_at, updated_at`;
}

function mimeTypes(value: unknown): string[] | null {
  if (value === null || value === undefined) return null;
  if (!Array.isArray(value) || value.some((entry) => typeof entry !== "string")) {
    throw errors.invalidRequest("allowed_mime_types must be an array of strings");
  }
  return value.filter((entry) => entry);
}

function listQuery(url: URL) {
  const column = url.searchParams.get("sortColumn") ?? "name";
  const limit = Number(url.searchParams.get("limit") ?? "");
  const offset = Number(url.searchParams.get("offset") ?? "");
  return {
    column: BUCKET_SORT_COLUMNS.has(column) ? column : "name",
    descending: url.searchParams.get("sortOrder") === "desc",
    limit: Number.isInteger(limit) && limit > 0 ? limit : null,
    offset: Number.isInteger(offset) && offset > 0 ? offset : 0,
    search: url.searchParams.get("search") ?? "",
  };
}

async function listBuckets(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const query = listQuery(new URL(c.req.url));
  const buckets = await asCaller(ctx.sql, request, (tx) =>
    tx`select ${bucketColumns(tx)} from storage.buckets
       where ${query.search ? tx`name ilike ${`%${query.search}%`}` : tx`true`}
       order by ${tx(query.column)} ${query.descending ? tx`desc` : tx`asc`}
       ${query.limit ? tx`limit ${query.limit}` : tx``} offset ${query.offset}`);
  return c.json(buckets);
}

async function getBucket(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const [bucket] = await asCaller(
    ctx.sql,
    request,
    (tx) => tx`select ${bucketColumns(tx)} from storage.buckets where id = ${c.req.param("id") ?? ""}`,
  );
  if (!bucket) throw errors.noSuchBucket();
  return c.json(bucket);
}

async function createBucket(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const body = await jsonBody(c);
  const name = body.name ?? body.id;
  const id = body.id ?? name;
  mustBeValidBucketName(name);
  mustBeValidBucketName(id);
  const sub = subjectOf(request.caller);
  const row = {
    id,
    name,
    owner: uuidOrNull(sub),
    owner_id: sub,
    public: body.public === true,
    file_size_limit: parseFileSizeLimit(body.file_size_limit),
    allowed_mime_types: mimeTypes(body.allowed_mime_types),
  };
  await asCaller(ctx.sql, request, (tx) => tx`insert into storage.buckets ${tx(row)}`);
  return c.json({ name });
}

async function updateBucket(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const body = await jsonBody(c);
  const changes: Record<string, unknown> = { updated_at: new Date() };
  if (typeof body.public === "boolean") changes.public = body.public;
  if ("file_size_limit" in body) changes.file_size_limit = parseFileSizeLimit(body.file_size_limit);
  if ("allowed_mime_types" in body) changes.allowed_mime_types = mimeTypes(body.allowed_mime_types);
  const updated = await asCaller(
    ctx.sql,
    request,
    (tx) => tx`update storage.buckets set ${tx(changes)} where id = ${c.req.param("id") ?? ""} returning id`,
  );
  if (updated.length === 0) throw errors.noSuchBucket();
  return c.json({ message: "Successfully updated" });
}

async function emptyBucket(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const id = c.req.param("id") ?? "";
  if (!await findBucketLimits(ctx.sql, id)) throw errors.noSuchBucket();
  await deleteAllObjects(ctx, request, id);
  return c.json({ message: "Successfully emptied" });
}

async function deleteBucket(c: Context, ctx: StorageContext): Promise<Response> {
  const request = await callerOf(c);
  const id = c.req.param("id") ?? "";
  const [{ count }] = await ctx
    .sql`select count(*)::int as count from storage.objects where bucket_id = ${id}`;
  if (count > 0) throw errors.bucketNotEmpty();
  const deleted = await asCaller(
    ctx.sql,
    request,
    (tx) => tx`delete from storage.buckets where id = ${id} returning id`,
  );
  if (deleted.length === 0) throw errors.noSuchBucket();
  await ctx.files.removeBucket(id);
  return c.json({ message: "Successfully deleted" });
}

/** Registers the bucket routes on `app`. */
export function registerBucketRoutes(app: Hono, ctx: StorageContext): void {
  app.get("/bucket", (c) => listBuckets(c, ctx));
  app.get("/bucket/:id", (c) => getBucket(c, ctx));
  app.post("/bucket", (c) => createBucket(c, ctx));
  app.put("/bucket/:id", (c) => updateBucket(c, ctx));
  app.post("/bucket/:id/empty", (c) => emptyBucket(c, ctx));
  app.delete("/bucket/:id", (c) => deleteBucket(c, ctx));
}
