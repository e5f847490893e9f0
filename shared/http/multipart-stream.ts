/**
 * A `multipart/form-data` parser fed chunk by chunk (RFC 7578): it hands on each part's name and
 * file name, then its bytes as they arrive, holding back only what could be the start of the next
 * boundary — so a file is never held whole by the parser.
 * @module
 */
import { ApiError } from "../errors/api-error.ts";

export type PartEvent =
  | { type: "part"; name: string; filename?: string }
  | { type: "data"; bytes: Uint8Array }
  | { type: "end" };

const CRLF = new Uint8Array([13, 10]);
const HEADERS_END = new Uint8Array([13, 10, 13, 10]);

const malformed = () =>
  new ApiError(400, "invalid_request", "The request body is not valid multipart/form-data.");

/** Where `needle` starts in `haystack` from `from`, or -1. */
function indexOf(haystack: Uint8Array, needle: Uint8Array, from = 0): number {
  for (let i = haystack.indexOf(needle[0], from); i !== -1; i = haystack.indexOf(needle[0], i + 1)) {
    if (i + needle.length > haystack.length) return -1;
    if (needle.every((byte, j) => haystack[i + j] === byte)) return i;
  }
  return -1;
}

function joined(a: Uint8Array, b: Uint8Array): Uint8Array {
  if (a.length === 0) return b;
  const bytes = new Uint8Array(a.length + b.length);
  bytes.set(a);
  bytes.set(b, a.length);
  return bytes;
}

/** The `name` and `filename` of a part's Content-Disposition header. */
function dispositionOf(headers: string): { name: string; filename?: string } {
  const line = headers.split("\r\n").find((h) => /^content-disposition\s*:/i.test(h)) ?? "";
  const param = (key: string) =>
    new RegExp(`;\\s*${key}="((?:[^"\\\\]|\\\\.)*)"`, "i").exec(line)?.[1] ??
      new RegExp(`;\\s*${key}=([^;\\s]+)`, "i").exec(line)?.[1];
  const name = param("name");
  if (name === undefined) throw malformed();
  return { name, filename: param("filename") };
}

export class MultipartStream {
  #buffer: Uint8Array = new Uint8Array(0);
  #state: "preamble" | "headers" | "body" | "after" | "done" = "preamble";
  readonly #first: Uint8Array;
  readonly #delimiter: Uint8Array;

  /** `maxHeaderBytes` bounds a part's headers (and the preamble). */
  constructor(boundary: string, readonly maxHeaderBytes: number) {
    this.#first = new TextEncoder().encode(`--${boundary}`);
    this.#delimiter = new TextEncoder().encode(`\r\n--${boundary}`);
  }

  get done(): boolean {
    return this.#state === "done";
  }

  /** Feeds a chunk (null at the end of the body); returns what it completed. */
  push(chunk: Uint8Array | null): PartEvent[] {
    if (chunk === null && this.#state !== "done") throw malformed();
    if (chunk) this.#buffer = joined(this.#buffer, chunk);
    const events: PartEvent[] = [];
    while (this.#step(events));
    if (this.#state !== "body" && this.#buffer.length > this.maxHeaderBytes) throw malformed();
    return events;
  }

  /** One step of the state machine; false when it needs more bytes. */
  #step(events: PartEvent[]): boolean {
    const buffer = this.#buffer;
    switch (this.#state) {
      case "preamble": {
        const at = indexOf(buffer, this.#first);
        if (at === -1) return false;
        this.#buffer = buffer.subarray(at + this.#first.length);
        this.#state = "after";
        return true;
      }
      case "after": {
        if (buffer.length < 2) return false;
        const closing = buffer[0] === 45 && buffer[1] === 45; // "--"
        if (!closing && (buffer[0] !== CRLF[0] || buffer[1] !== CRLF[1])) throw malformed();
        this.#buffer = closing ? new Uint8Array(0) : buffer.subarray(2);
        this.#state = closing ? "done" : "headers";
        return !closing;
      }
      case "headers": {
        const end = indexOf(buffer, HEADERS_END);
        if (end === -1) return false;
        const headers = new TextDecoder().decode(buffer.subarray(0, end));
        events.push({ type: "part", ...dispositionOf(headers) });
        this.#buffer = buffer.subarray(end + HEADERS_END.length);
        this.#state = "body";
        return true;
      }
      case "body": {
        const at = indexOf(buffer, this.#delimiter);
        // Without a delimiter, all but what could be its start is the part's.
        const safe = at === -1 ? Math.max(0, buffer.length - this.#delimiter.length + 1) : at;
        if (safe > 0) events.push({ type: "data", bytes: buffer.slice(0, safe) });
        if (at === -1) {
          this.#buffer = buffer.slice(safe);
          return false;
        }
        events.push({ type: "end" });
        this.#buffer = buffer.subarray(at + this.#delimiter.length);
        this.#state = "after";
        return true;
      }
      default:
        return false;
    }
  }
}
