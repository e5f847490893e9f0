/**
 * The storage.objects and storage.buckets queries. Which role they run as is the caller's choice:
 * inside asCaller() RLS applies, on the admin pool it does not.
 * @module
 */
import type { Sql, Tx } from "./db.ts";
import type { ObjectMetadata } from "./upload.ts";

/** A storage.objects row as Storage returns it. */
export interface ObjectRow {
  id: string;
  bucket_id: string;
  name: string;
  owner: string | null;
  owner_id: string | null;
  version: string | null;
  metadata: ObjectMetadata | null;
  user_metadata: Record<string, unknown> | null;
  created_at: string;
  updated_at: string;
  last_accessed_at: string;
}

/** The bucket facts uploads and downloads need. */
export interface BucketLimits {
  id: string;
  public: boolean;
  file_size_limit: number | null;
  allowed_mime_types: string[] | null;
}

/** What an upload writes into its row. */
export interface NewObject {
  bucket: string;
  name: string;
  owner: string | null;
  version: string;
  metadata: ObjectMetadata;
  userMetadata: Record<string, unknown> | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `value` when it is a uuid (the owner column's type), else null. */
export function uuidOrNull(value: string | null): string | null {
  return value && UUID.test(value) ? value : null;
}

/** The bytes of a row with no version (created outside Storage) are looked for under this name. */
export function versionOf(row: Pick<ObjectRow, "version">): string {
  return row.version ?? "object";
}

export async function findBucketLimits(sql: Sql | Tx, id: string): Promise<BucketLimits | undefined> {
  const [bucket] = await sql<BucketLimits[]>`
    select id, public, file_size_limit::float8 as file_size_limit, allowed_mime_types
    from storage.buckets where id = ${id}`;
  return bucket;
}

export async function findObject(
  sql: Sql | Tx,
  bucket: string,
  name: string,
): Promise<ObjectRow | undefined> {
  const [row] = await sql<ObjectRow[]>`
    select * from storage.objects where bucket_id = ${bucket} and name = ${name}`;
  return row;
}

/** The current version of an object, locked until the transaction ends (run before actAs()). */
export async function lockCurrentVersion(tx: Tx, bucket: string, name: string): Promise<string | null> {
  const [row] = await tx<ObjectRow[]>`
    select version from storage.objects where bucket_id = ${bucket} and name = ${name} for update`;
  return row ? versionOf(row) : null;
}

function rowValues(tx: Tx, object: NewObject) {
  return {
    bucket_id: object.bucket,
    name: object.name,
    owner: uuidOrNull(object.owner),
    owner_id: object.owner,
    version: object.version,
    metadata: tx.json(object.metadata as never),
    user_metadata: object.userMetadata ? tx.json(object.userMetadata as never) : null,
  };
}

/** Inserts a new object; an existing name is a unique violation (Storage's "Duplicate"). */
export async function insertObject(tx: Tx, object: NewObject): Promise<ObjectRow> {
  const [row] = await tx<ObjectRow[]>`insert into storage.objects ${tx(rowValues(tx, object))} returning *`;
  return row;
}

/** Inserts or replaces an object: RLS needs INSERT, and SELECT + UPDATE when it exists, as on Supabase. */
export async function upsertObject(tx: Tx, object: NewObject): Promise<ObjectRow> {
  const values = rowValues(tx, object);
  const [row] = await tx<ObjectRow[]>`
    insert into storage.objects ${tx(values)}
    on conflict (bucket_id, name) do update set
      owner = excluded.owner, owner_id = excluded.owner_id, version = excluded.version,
      metadata = excluded.metadata, user_metadata = excluded.user_metadata,
      updated_at = now(), last_accessed_at = now()
    returning *`;
  return row;
}

/** Deletes the named objects the role may delete; returns what was deleted. */
export async function deleteObjects(tx: Tx, bucket: string, names: string[]): Promise<ObjectRow[]> {
  return await tx<ObjectRow[]>`
    delete from storage.objects where bucket_id = ${bucket} and name = any(${names}::text[]) returning *`;
}

/** The subset of `names` the role can see. */
export async function visibleNames(tx: Tx, bucket: string, names: string[]): Promise<Set<string>> {
  const rows = await tx<{ name: string }[]>`
    select name from storage.objects where bucket_id = ${bucket} and name = any(${names}::text[])`;
  return new Set(rows.map((row) => row.name));
}
