/**
 * Small files of each type the upload routes tell apart by their bytes, and multipart forms of them.
 * @module
 */

const ascii = (text: string) => [...text].map((char) => char.charCodeAt(0));

/** `size` bytes starting with `head` (the rest zeros). */
export function fileOf(head: number[], size = 64): Uint8Array {
  const bytes = new Uint8Array(Math.max(size, head.length));
  bytes.set(head);
  return bytes;
}

export const PNG = fileOf([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, ...ascii("IHDR")]);
export const JPEG = fileOf([0xff, 0xd8, 0xff, 0xe0, 0, 16, ...ascii("JFIF")]);
export const GIF = fileOf(ascii("GIF89a"));
export const WEBP = fileOf([...ascii("RIFF"), 56, 0, 0, 0, ...ascii("WEBPVP8 ")]);
export const HEIC = fileOf([0, 0, 0, 24, ...ascii("ftypheic"), 0, 0, 0, 0, ...ascii("mif1heic")]);
export const PDF = fileOf(ascii("%PDF-1.7\n"));

/** A multipart form with `bytes` as the file `name` in `field`, and the text fields given. */
export function formWith(
  bytes: Uint8Array,
  name: string,
  fields: Record<string, string> = {},
  field = "file",
  type = "application/octet-stream",
): FormData {
  const form = new FormData();
  for (const [key, value] of Object.entries(fields)) form.append(key, value);
  form.append(field, new Blob([bytes as Uint8Array<ArrayBuffer>], { type }), name);
  return form;
}
