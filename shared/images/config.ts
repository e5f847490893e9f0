/**
 * The image domain's setting: how long the signed image URLs in a job read stay valid
 * (`JOB_IMAGE_URL_TTL_SECONDS`, 60 s .. 7 days, default an hour), validated once per isolate.
 * @module
 */
import { z } from "zod";

const Ttl = z.coerce.number().int().min(60).max(7 * 24 * 3600).default(3600);

/** Validates an environment (tests pass their own). */
export function parseImageUrlTtl(env: Record<string, string | undefined>): number {
  const raw = env.JOB_IMAGE_URL_TTL_SECONDS || undefined;
  const result = Ttl.safeParse(raw);
  if (!result.success) {
    throw new Error(`Invalid configuration: JOB_IMAGE_URL_TTL_SECONDS ${result.error.issues[0].message}.`);
  }
  return result.data;
}

let cached: number | undefined;

/** Seconds a signed image URL stays valid, read from Deno.env on first use. */
export function imageUrlTtlSeconds(): number {
  cached ??= parseImageUrlTtl(Deno.env.toObject());
  return cached;
}
