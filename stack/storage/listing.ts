/**
 * POST /object/list/{bucket}: one folder level, like Storage's storage.search(): the sub-folders
 * first (id and dates null), then the files, each with their row's id, dates and metadata.
 * @module
 */
import type { Tx } from "./db.ts";
import type { ObjectMetadata } from "./upload.ts";

/** One entry of a listing. */
export interface ListEntry {
  name: string;
  id: string | null;
  updated_at: string | null;
  created_at: string | null;
  last_accessed_at: string | null;
  metadata: ObjectMetadata | null;
}

/** A listing request, normalised. */
export interface ListOptions {
  prefix: string;
  limit: number;
  offset: number;
  sortColumn: "name" | "updated_at" | "created_at" | "last_accessed_at";
  descending: boolean;
  search: string;
}

const SORT_COLUMNS = new Set(["name", "updated_at", "created_at", "last_accessed_at"]);

function wholeNumber(value: unknown, fallback: number, minimum: number): number {
  return typeof value === "number" && Number.isInteger(value) && value >= minimum ? value : fallback;
}

/** Reads supabase-js's list body ({prefix, limit, offset, sortBy: {column, order}, search}). */
export function parseListOptions(body: Record<string, unknown>): ListOptions {
  const sortBy = (body.sortBy ?? {}) as Record<string, unknown>;
  const column = String(sortBy.column ?? "name");
  const rawPrefix = typeof body.prefix === "string" ? body.prefix : "";
  return {
    // The prefix is always a folder.
    prefix: rawPrefix && !rawPrefix.endsWith("/") ? `${rawPrefix}/` : rawPrefix,
    limit: wholeNumber(body.limit, 100, 1),
    offset: wholeNumber(body.offset, 0, 0),
    sortColumn: (SORT_COLUMNS.has(column) ? column : "name") as ListOptions["sortColumn"],
    descending: String(sortBy.order ?? "asc").toLowerCase() === "desc",
    search: typeof body.search === "string" ? body.search : "",
  };
}

function likePattern(search: string): string {
  return `${search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Lists one level under `options.prefix`, as the transaction's role sees it. */
export async function listFolder(tx: Tx, bucket: string, options: ListOptions): Promise<ListEntry[]> {
  const direction = options.descending ? tx`desc` : tx`asc`;
  const fileOrder = options.sortColumn === "name"
    ? tx`name collate "C" ${direction}`
    : tx`${tx(options.sortColumn)} ${direction}, name collate "C" ${direction}`;
  return await tx<ListEntry[]>`
    with level as (
      select split_part(rest, '/', 1) as entry, strpos(rest, '/') > 0 as is_folder,
             id, updated_at, created_at, last_accessed_at, metadata
      from (
        select substr(name, ${options.prefix.length + 1}) as rest, *
        from storage.objects
        where bucket_id = ${bucket} and starts_with(name, ${options.prefix})
      ) as under_prefix
      where rest ilike ${likePattern(options.search)}
    ),
    entries as (
      select distinct on (entry) 0 as kind, entry as name, null::uuid as id, null::timestamptz as updated_at,
             null::timestamptz as created_at, null::timestamptz as last_accessed_at, null::jsonb as metadata
      from level where is_folder
      union all
      select 1, entry, id, updated_at, created_at, last_accessed_at, metadata
      from level where not is_folder
    )
    select name, id, updated_at, created_at, last_accessed_at, metadata
    from entries
    order by kind, case when kind = 0 then name end collate "C" ${direction}, ${fileOrder}
    limit ${options.limit} offset ${options.offset}`;
}
