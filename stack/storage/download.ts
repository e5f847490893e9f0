/**
 * Sends an object's bytes with the headers Storage sets from its metadata.
 * @module
 */
import type { ObjectFiles } from "./files.ts";
import { type ObjectRow, versionOf } from "./object-store.ts";

function contentDisposition(name: string, download: string | null): string | null {
  if (download === null) return null;
  const filename = download || name.split("/").at(-1) || "download";
  return `attachment; filename=${encodeURIComponent(filename)}; filename*=UTF-8''${
    encodeURIComponent(filename)
  }`;
}

/**
 * The object's bytes; `download` is the `?download=` query value (null when absent, "" for the
 * object's own file name), which asks browsers to save instead of display.
 */
export async function objectResponse(
  files: ObjectFiles,
  row: ObjectRow,
  download: string | null,
): Promise<Response> {
  const file = await files.open(row.bucket_id, row.name, versionOf(row));
  const { size } = await file.stat();
  const metadata = row.metadata;
  const headers = new Headers({
    "content-type": metadata?.mimetype ?? "application/octet-stream",
    "content-length": String(size),
    "cache-control": metadata?.cacheControl ?? "no-cache",
    "last-modified": new Date(metadata?.lastModified ?? row.updated_at).toUTCString(),
  });
  if (metadata?.eTag) headers.set("etag", metadata.eTag);
  const disposition = contentDisposition(row.name, download);
  if (disposition) headers.set("content-disposition", disposition);
  return new Response(file.readable, { status: 200, headers });
}
