/**
 * Paging for list routes (API.md Conventions): lists stay plain arrays; the optional `limit`
 * (default 50, max 200) and a `before` or `after` cursor (a timestamp or an id) choose the page, and
 * the next page is announced in `X-Next-Cursor` and a `Link: <?...>; rel="next"` header.
 * @module
 */
import { z } from "@hono/zod-openapi";
import type { Context } from "hono";

export const DEFAULT_PAGE_LIMIT = 50;
export const MAX_PAGE_LIMIT = 200;

const Cursor = z.union([z.uuid(), z.iso.datetime({ offset: true })]).openapi({
  description: "An id from the list, or an ISO-8601 timestamp",
  example: "2026-01-01T00:00:00Z",
});

const PAGE_FIELDS = {
  limit: z.coerce.number().int().min(1).max(MAX_PAGE_LIMIT).default(DEFAULT_PAGE_LIMIT)
    .openapi({ description: `Page size (max ${MAX_PAGE_LIMIT})` }),
  before: Cursor.optional().openapi({ description: "Items older than this id or timestamp" }),
  after: Cursor.optional().openapi({ description: "Items newer than this id or timestamp" }),
};

interface PageRequestQuery {
  before?: string;
  after?: string;
}

/** The query of a paged list, with the list's own parameters (`extra`). */
export function pageQuery<T extends z.ZodRawShape>(extra: T) {
  const cursors = (query: { before?: string; after?: string }) => !(query.before && query.after);
  return z.object({ ...PAGE_FIELDS, ...extra }).refine((query) => cursors(query as PageRequestQuery), {
    message: "Send either before or after, not both.",
    path: ["after"],
  });
}

/** The query of a paged list. */
export const PageQuery = pageQuery({});

export type PageQuery = z.infer<typeof PageQuery>;

const text = { type: "string" as const };

/** The response headers of a paged list, for its OpenAPI document. */
export const PAGE_HEADERS = {
  "X-Next-Cursor": {
    description: "Cursor of the next page (same parameter), when there is one",
    schema: text,
  },
  Link: { description: '`<?limit=..&before|after=..>; rel="next"`, when there is a next page', schema: text },
};

/** Where the next page starts: the cursor and the query parameter it goes in. */
export interface NextCursor {
  param: "before" | "after";
  cursor: string;
}

/** Announces the next page, if there is one. */
export function setNextCursor(c: Context, limit: number, next: NextCursor | undefined): void {
  if (!next) return;
  const query = new URLSearchParams({ limit: String(limit), [next.param]: next.cursor });
  c.header("X-Next-Cursor", next.cursor);
  // A query-only reference resolves against the request URL, whatever prefix the gateway added.
  c.header("Link", `<?${query}>; rel="next"`);
}
