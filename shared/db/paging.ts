/**
 * Keyset paging over `(sort column, id)`: a page is the `limit` rows nearest a cursor on the side it
 * names (`after` = later, `before` = earlier), returned in the list's own order. A cursor is a row id
 * (exact position, ties broken by id) or a timestamp (compared at the precision given). Fetching one
 * row more than the limit tells whether a next page exists, so paging costs no extra round trip.
 * @module
 */
import type postgres from "postgres";
import { ApiError } from "../errors/api-error.ts";
import type { Reader, Tx } from "./client.ts";

/** What the caller asked for (API.md: `limit`, `before` / `after`). */
export interface PageRequest {
  limit: number;
  before?: string;
  after?: string;
}

export type PageSide = "before" | "after";

/** One page, and where the next one starts (same side) when there is more. */
export interface Page<T> {
  items: T[];
  next?: { param: PageSide; cursor: string };
}

/** How a list is sorted: `listOrder` is the order the API returns it in. */
export interface KeysetSpec {
  table: string;
  sortColumn: string;
  listOrder: "asc" | "desc";
  /**
   * Columns sorted on before `sortColumn`, in the same direction (e.g. `pinned` first). An id cursor
   * compares the whole `(leading..., sortColumn, id)` row; a timestamp cursor only `sortColumn`.
   */
  leadingColumns?: string[];
}

/** The SQL pieces of one page query. */
export interface Keyset {
  side: PageSide;
  /** `and ...` narrowing the rows to the cursor's side (empty without a cursor). */
  condition: postgres.Fragment;
  /** `order by` clause walking away from the cursor. */
  order: postgres.Fragment;
  /** Rows to fetch: one more than the limit. */
  fetch: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The side of the request's cursor; without one, the side that walks the list in its own order. */
export function pageSide(request: PageRequest, spec: KeysetSpec): PageSide {
  if (request.before) return "before";
  if (request.after) return "after";
  return spec.listOrder === "asc" ? "after" : "before";
}

/** The condition, order and row count for one page of `spec`. */
export function keyset(tx: Tx, request: PageRequest, spec: KeysetSpec): Keyset {
  const side = pageSide(request, spec);
  const cursor = request[side];
  const column = tx(spec.sortColumn);
  const columns = [...spec.leadingColumns ?? [], spec.sortColumn].reduceRight(
    (rest, name) => tx`${tx(name)}, ${rest}`,
    tx`id`,
  );
  const op = tx.unsafe(side === "after" ? ">" : "<");
  const direction = tx.unsafe(side === "after" ? "asc" : "desc");
  let condition = tx``;
  if (cursor && UUID.test(cursor)) {
    condition = tx`and (${columns}) ${op} (select ${columns} from ${tx(spec.table)} where id = ${cursor})`;
  } else if (cursor) {
    condition = tx`and ${column} ${op} ${cursor}::timestamptz`;
  }
  const leading = (spec.leadingColumns ?? []).reduce(
    (sql, name) => tx`${sql}${tx(name)} ${direction}, `,
    tx``,
  );
  const order = tx`${leading}${column} ${direction}, id ${direction}`;
  return { side, condition, order, fetch: request.limit + 1 };
}

/** The fetched rows as a page in the list's order, with the next cursor when more rows exist. */
export function toPage<T extends { id: string }>(
  rows: readonly T[],
  request: PageRequest,
  spec: KeysetSpec,
): Page<T> {
  const side = pageSide(request, spec);
  const items = rows.slice(0, request.limit);
  const walkedInListOrder = (side === "after") === (spec.listOrder === "asc");
  const next = rows.length > request.limit ? { param: side, cursor: items[items.length - 1].id } : undefined;
  return { items: walkedInListOrder ? items : items.reverse(), next };
}

/** The request's cursor when it is a row id (a timestamp cursor always counts as known). */
function idCursor(request: PageRequest, spec: KeysetSpec): string | undefined {
  const cursor = request[pageSide(request, spec)];
  return cursor && UUID.test(cursor) ? cursor : undefined;
}

/** The side of the request's id cursor when it names no row the caller can see. */
export async function unknownCursor(
  read: Reader,
  request: PageRequest,
  spec: KeysetSpec,
): Promise<PageSide | undefined> {
  const cursor = idCursor(request, spec);
  if (!cursor) return undefined;
  const rows = await read((tx) => tx`select 1 from ${tx(spec.table)} where id = ${cursor}`);
  return rows.length > 0 ? undefined : pageSide(request, spec);
}

/** The 422 of a page asked for with a cursor that names no row of the list. */
export function unknownCursorError(side: PageSide): ApiError {
  return new ApiError(422, "validation_error", [
    { loc: ["query", side], msg: "Unknown cursor: no such item in this list.", type: "value_error" },
  ]);
}

/**
 * One page of a list: `select` gives the page's statement for the keyset. With {@link userReader}
 * a page costs one round trip; an empty one with an id cursor costs a second, to tell "past the end"
 * from an unknown cursor (a 422).
 */
export async function readPage<T extends { id: string }>(
  read: Reader,
  request: PageRequest,
  spec: KeysetSpec,
  select: (tx: Tx, page: Keyset) => postgres.PendingQuery<T[]>,
): Promise<Page<T>> {
  const rows = await read((tx) => select(tx, keyset(tx, request, spec)));
  if (rows.length === 0) {
    const side = await unknownCursor(read, request, spec);
    if (side) throw unknownCursorError(side);
  }
  return toPage(rows, request, spec);
}
