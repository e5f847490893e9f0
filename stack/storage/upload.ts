/**
 * Reads an upload the two ways supabase-js sends one: multipart form data (a Blob/File/FormData;
 * fields cacheControl and metadata next to the file) or the raw bytes (Content-Type, Cache-Control
 * and base64 JSON in x-metadata), never reading more than the size limit allows.
 * @module
 */
import { createHash } from "node:crypto";
import { readAtMost } from "../body.ts";
import { errors } from "./errors.ts";
import { boundaryOf, parseMultipart } from "./multipart.ts";

/** An upload's bytes and what Storage records about them. */
export interface Upload {
  bytes: Uint8Array;
  contentType: string;
  cacheControl: string;
  userMetadata: Record<string, unknown> | null;
}

/** What Storage keeps in storage.objects.metadata. */
export interface ObjectMetadata {
  eTag: string;
  size: number;
  mimetype: string;
  cacheControl: string;
  lastModified: string;
  contentLength: number;
  httpStatusCode: number;
}

/** Room for the multipart boundaries and fields around the file itself. */
const MULTIPART_OVERHEAD = 64 * 1024;

function parseUserMetadata(json: string | null): Record<string, unknown> | null {
  if (!json) return null;
  try {
    const value = JSON.parse(json);
    return value && typeof value === "object" ? value : null;
  } catch {
    throw errors.invalidRequest("Invalid metadata");
  }
}

function cacheControlOf(seconds: string | null): string {
  return seconds ? `max-age=${seconds}` : "no-cache";
}

function fromMultipart(raw: Uint8Array, contentType: string, limit: number): Upload {
  const boundary = boundaryOf(contentType);
  const parts = boundary ? parseMultipart(raw, boundary) : null;
  if (!parts) throw errors.invalidRequest("Invalid multipart body");
  const file = parts.find((part) => part.filename !== null);
  if (!file) throw errors.invalidRequest("No content provided");
  if (file.bytes.length > limit) throw errors.entityTooLarge();
  const field = (name: string) => {
    const part = parts.find((candidate) => candidate.name === name && candidate.filename === null);
    return part ? new TextDecoder().decode(part.bytes) : null;
  };
  return {
    bytes: file.bytes,
    contentType: file.contentType || "application/octet-stream",
    cacheControl: cacheControlOf(field("cacheControl")),
    userMetadata: parseUserMetadata(field("metadata")),
  };
}

function decodeBase64Json(value: string | null): string | null {
  if (!value) return null;
  try {
    return new TextDecoder().decode(Uint8Array.from(atob(value), (c) => c.charCodeAt(0)));
  } catch {
    throw errors.invalidRequest("Invalid metadata");
  }
}

/** Reads the upload in `request`, refusing more than `limit` bytes of content. */
export async function readUpload(request: Request, limit: number): Promise<Upload> {
  const contentType = request.headers.get("content-type") ?? "";
  const isMultipart = contentType.toLowerCase().startsWith("multipart/form-data");
  const readLimit = isMultipart ? limit + MULTIPART_OVERHEAD : limit;
  if (Number(request.headers.get("content-length") ?? 0) > readLimit) throw errors.entityTooLarge();
  const raw = await readAtMost(request.body, readLimit, errors.entityTooLarge);
  if (isMultipart) return fromMultipart(raw, contentType, limit);
  return {
    bytes: raw,
    contentType: contentType || "application/octet-stream",
    cacheControl: request.headers.get("cache-control") ?? "no-cache",
    userMetadata: parseUserMetadata(decodeBase64Json(request.headers.get("x-metadata"))),
  };
}

/** The metadata Storage records for stored bytes. */
export function describeUpload(upload: Upload): ObjectMetadata {
  const md5 = createHash("md5").update(upload.bytes).digest("hex");
  return {
    eTag: `"${md5}"`,
    size: upload.bytes.length,
    mimetype: upload.contentType,
    cacheControl: upload.cacheControl,
    lastModified: new Date().toISOString(),
    contentLength: upload.bytes.length,
    httpStatusCode: 200,
  };
}
