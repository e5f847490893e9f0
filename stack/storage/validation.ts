/**
 * Which bucket names, object keys, sizes and mime types Storage accepts.
 * @module
 */
import { errors } from "./errors.ts";

// storage-api's allowed characters; bucket names additionally exclude "/".
const KEY_CHARACTERS = /^[\w/!.*'() &$@=;:+,?-]+$/;
const BUCKET_CHARACTERS = /^[\w!.*'() &$@=;:+,?-]+$/;

/** Throws InvalidBucketName unless `name` is a name Storage accepts. */
export function mustBeValidBucketName(name: unknown): asserts name is string {
  const valid = typeof name === "string" && name.length > 0 && name.length < 64 && name.trim() === name &&
    BUCKET_CHARACTERS.test(name) && name !== "." && name !== "..";
  if (!valid) throw errors.invalidBucketName();
}

/** Throws InvalidKey unless `key` is an object name Storage accepts (and that is safe on disk). */
export function mustBeValidKey(key: string): void {
  const segments = key.split("/");
  const valid = key.length > 0 && key.length <= 1024 && KEY_CHARACTERS.test(key) &&
    segments.every((segment) => segment !== "" && segment !== "." && segment !== "..");
  if (!valid) throw errors.invalidKey(key);
}

/** Parses a bucket's file_size_limit: bytes as a number, or "20GB" / "20MB" / "30KB" / "3B". */
export function parseFileSizeLimit(value: unknown): number | null {
  if (value === null || value === undefined) return null;
  if (typeof value === "number" && Number.isInteger(value) && value >= 0) return value;
  const match = typeof value === "string" ? /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)$/i.exec(value.trim()) : null;
  if (!match) {
    throw errors.invalidRequest("Invalid file size format, hint: use 20GB / 20MB / 30KB / 3B");
  }
  const unit = { b: 1, kb: 1000, mb: 1000 ** 2, gb: 1000 ** 3 }[match[2].toLowerCase() as "b"];
  return Math.floor(Number(match[1]) * unit);
}

/** Throws InvalidMimeType unless the bucket allows `mimeType` (entries may end in "/*"). */
export function mustBeAllowedMimeType(mimeType: string, allowed: string[] | null): void {
  if (!allowed || allowed.length === 0) return;
  const type = mimeType.split(";")[0].trim().toLowerCase();
  const ok = allowed.some((entry) => {
    const pattern = entry.toLowerCase();
    return pattern.endsWith("/*") ? type.startsWith(pattern.slice(0, -1)) : type === pattern;
  });
  if (!ok) throw errors.invalidMimeType(mimeType);
}
