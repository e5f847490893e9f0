/**
 * A small multipart/form-data reader. supabase-js sends the file as a part named "" (empty), which
 * the web-standard `Response.formData()` silently drops, so Storage's uploads need their own reader.
 * @module
 */

/** One part of a multipart body. */
export interface FormPart {
  name: string;
  filename: string | null;
  contentType: string | null;
  bytes: Uint8Array;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CRLF_CRLF = encoder.encode("\r\n\r\n");

function indexOf(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0];
  const last = haystack.length - needle.length;
  for (let i = haystack.indexOf(first, from); i !== -1 && i <= last; i = haystack.indexOf(first, i + 1)) {
    let j = 1;
    while (j < needle.length && haystack[i + j] === needle[j]) j++;
    if (j === needle.length) return i;
  }
  return -1;
}

/** The boundary named in a multipart Content-Type, or null. */
export function boundaryOf(contentType: string): string | null {
  const match = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match ? match[1] ?? match[2] : null;
}

function parseHeaders(block: string): Omit<FormPart, "bytes"> {
  let name = "", filename: string | null = null, contentType: string | null = null;
  for (const line of block.split("\r\n")) {
    const [key, ...rest] = line.split(":");
    const value = rest.join(":").trim();
    if (key.trim().toLowerCase() === "content-type") contentType = value;
    if (key.trim().toLowerCase() !== "content-disposition") continue;
    name = /\bname="([^"]*)"/i.exec(value)?.[1] ?? "";
    filename = /\bfilename="([^"]*)"/i.exec(value)?.[1] ?? null;
  }
  return { name, filename, contentType };
}

/** Splits a multipart body into its parts; null when it is not well formed. */
export function parseMultipart(body: Uint8Array, boundary: string): FormPart[] | null {
  const delimiter = encoder.encode(`--${boundary}`);
  const nextDelimiter = encoder.encode(`\r\n--${boundary}`);
  const parts: FormPart[] = [];
  let position = indexOf(body, delimiter, 0);
  if (position === -1) return null;
  position += delimiter.length;
  while (!(body[position] === 0x2d && body[position + 1] === 0x2d)) {
    const headersEnd = indexOf(body, CRLF_CRLF, position);
    if (headersEnd === -1) return null;
    const contentStart = headersEnd + CRLF_CRLF.length;
    const contentEnd = indexOf(body, nextDelimiter, contentStart);
    if (contentEnd === -1) return null;
    const headers = parseHeaders(decoder.decode(body.subarray(position + 2, headersEnd)));
    parts.push({ ...headers, bytes: body.subarray(contentStart, contentEnd) });
    position = contentEnd + nextDelimiter.length;
  }
  return parts;
}
