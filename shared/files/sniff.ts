/**
 * What a file's bytes are, whatever its name or declared type says: images by their magic bytes,
 * text by being valid UTF-8 without NUL characters.
 * @module
 */

export type ImageType = "image/png" | "image/jpeg" | "image/gif" | "image/webp" | "image/heic";

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** [type, bytes, offset]: the file is of `type` when `bytes` stand at `offset`. */
const SIGNATURES: [ImageType, number[], number][] = [
  ["image/png", [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 0],
  ["image/jpeg", [0xff, 0xd8, 0xff], 0],
  ["image/gif", ascii("GIF8"), 0],
  ["image/webp", ascii("WEBP"), 8],
];

/** HEIF brands of HEIC stills and sequences (ISO/IEC 23008-12), after `ftyp` at offset 4. */
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"]);

/** The longest prefix the signatures need. */
export const SNIFF_BYTES = 16;

const startsWith = (bytes: Uint8Array, magic: number[], offset: number) =>
  magic.every((byte, i) => bytes[offset + i] === byte);

function isHeic(bytes: Uint8Array): boolean {
  if (!startsWith(bytes, ascii("ftyp"), 4) || bytes.length < 12) return false;
  return HEIC_BRANDS.has(String.fromCharCode(...bytes.subarray(8, 12)));
}

/** The image type the bytes start with, or undefined when they are none of these. */
export function sniffImageType(bytes: Uint8Array): ImageType | undefined {
  const found = SIGNATURES.find(([, magic, offset]) => startsWith(bytes, magic, offset))?.[0];
  return found ?? (isHeic(bytes) ? "image/heic" : undefined);
}

/** The usual file extension of an image type. */
export function extensionOf(contentType: string): string {
  const extensions: Record<string, string> = {
    "image/jpeg": "jpg",
    "image/gif": "gif",
    "image/webp": "webp",
    "image/heic": "heic",
  };
  return extensions[contentType] ?? "png";
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * Whether the bytes are UTF-8 text (no NUL, which no text file holds). `partial`: they are the start
 * of a file, so a character cut at their end is not a fault.
 */
export function isUtf8Text(bytes: Uint8Array, partial = false): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes, { stream: partial });
    return true;
  } catch {
    return false;
  }
}

/** The bytes as text (they passed {@link isUtf8Text}); a leading byte-order mark is dropped. */
export function textOf(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}
