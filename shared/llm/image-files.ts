/**
 * Image bytes: what type they are, and fetching a provider's `url` result (without the API key:
 * result URLs are often on another host, such as a CDN).
 * @module
 */
import { sniffImageType as sniffAnyImage } from "../files/sniff.ts";
import { PUBLIC_ONLY } from "./destinations.ts";
import { badResponse } from "./errors.ts";
import type { ProviderId } from "./providers.ts";
import { type Deadline, readBytes, send } from "./transport.ts";

/** The image type the bytes start with, or undefined when they are none the job bucket stores. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  const type = sniffAnyImage(bytes);
  return type === "image/heic" ? undefined : type;
}

/** A result URL the destination guard refused, as the job's error reads it (never the URL itself). */
const refusedImageUrl = (why: string) =>
  `sent an image URL whose destination was refused (${why}; ${PUBLIC_ONLY})`;

/**
 * Downloads one `url` result under the call's deadline; refuses what is too large or is not an
 * image, and any URL the destination guard refuses. The key is only scrubbed from errors, never sent.
 * @throws {ProviderError}
 */
export async function downloadImage(
  target: { provider: ProviderId; apiKey: string },
  url: string,
  limit: Deadline,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; contentType: string }> {
  const call = { provider: target.provider, apiKey: target.apiKey, url, refusal: refusedImageUrl };
  const response = await send(call, limit);
  const bytes = await readBytes(response, limit, target.provider, maxBytes);
  if (!bytes) throw badResponse(target.provider, "sent an image that is too large", { permanent: true });
  const contentType = sniffImageType(bytes);
  if (!contentType) throw badResponse(target.provider, "sent a result URL that is not an image");
  return { bytes, contentType };
}
