/**
 * Image bytes: what type they are, and fetching a provider's `url` result (without the API key:
 * result URLs are often on another host, such as a CDN).
 * @module
 */
import { errorFromResponse, errorFromTransport, ImageGenerationError } from "./image-errors.ts";

interface KeyHolder {
  provider: string;
  apiKey: string;
}

const SIGNATURES: [string, number[], number][] = [
  ["image/png", [0x89, 0x50, 0x4e, 0x47], 0],
  ["image/jpeg", [0xff, 0xd8, 0xff], 0],
  ["image/gif", [0x47, 0x49, 0x46, 0x38], 0],
  ["image/webp", [0x57, 0x45, 0x42, 0x50], 8],
];

/** The image type the bytes start with, or undefined when they are none we store. */
export function sniffImageType(bytes: Uint8Array): string | undefined {
  return SIGNATURES.find(([, magic, offset]) => magic.every((byte, i) => bytes[offset + i] === byte))?.[0];
}

/** The usual file extension of an image type. */
export function extensionOf(contentType: string): string {
  return { "image/jpeg": "jpg", "image/gif": "gif", "image/webp": "webp" }[contentType] ?? "png";
}

async function readLimited(response: Response, maxBytes: number): Promise<Uint8Array | null> {
  const declared = Number(response.headers.get("content-length") ?? 0);
  if (declared > maxBytes) return null;
  const bytes = new Uint8Array(await response.arrayBuffer());
  return bytes.byteLength > maxBytes ? null : bytes;
}

/** Downloads one `url` result; refuses what is too large or is not an image. */
export async function downloadImage(
  target: KeyHolder,
  url: string,
  signal: AbortSignal,
  maxBytes: number,
): Promise<{ bytes: Uint8Array; contentType: string }> {
  let bytes: Uint8Array | null;
  try {
    const response = await fetch(url, { signal });
    if (!response.ok) throw await errorFromResponse(target, response);
    bytes = await readLimited(response, maxBytes);
  } catch (error) {
    if (error instanceof ImageGenerationError) throw error;
    throw errorFromTransport(target, error, signal);
  }
  if (!bytes) {
    throw new ImageGenerationError(target.provider, "bad_response", "sent an image that is too large", {
      permanent: true,
    });
  }
  const contentType = sniffImageType(bytes);
  if (!contentType) {
    throw new ImageGenerationError(target.provider, "bad_response", "sent a result URL that is not an image");
  }
  return { bytes, contentType };
}
