/**
 * Reading one uploaded file from a `multipart/form-data` body as it streams in: its type is decided
 * by its first bytes (never its name or declared type), and the upload is refused (413) the moment
 * it passes its type's limit, without holding the rest. A refused body is drained before the answer
 * goes out (http/drain.ts). The form's other small fields (e.g. `chat_id`) come along as text.
 * @module
 */
import { ApiError } from "../errors/api-error.ts";
import { drainReader } from "./drain.ts";
import { MultipartStream } from "./multipart-stream.ts";

/** What an accepted file is, and how large it may be. */
export interface FileRule {
  mime: string;
  ext: string;
  maxBytes: number;
  /** The 413's sentence. */
  tooLarge: string;
  /** A check of the whole file once read (e.g. valid UTF-8); false is a 415. */
  accepts?: (bytes: Uint8Array) => boolean;
}

export interface UploadRules {
  /** The form field holding the file. */
  field: string;
  /**
   * The rule for a file that starts with `head` (up to {@link HEAD_BYTES}); undefined is a 415. The
   * file name the client gave may only name a type among text files (bytes cannot tell csv from json).
   */
  classify: (head: Uint8Array, filename: string) => FileRule | undefined;
  /** The 415's sentence: which types are accepted. */
  unsupported: string;
  /** The largest file any rule accepts, for refusing a declared length at once. */
  maxBytes: number;
  tooLarge: string;
}

export interface Upload {
  bytes: Uint8Array;
  rule: FileRule;
  /** The file name the client gave (only for showing; may be empty). */
  filename: string;
  /** The form's text fields. */
  fields: Record<string, string>;
}

/** How much of a file its type is decided on. */
export const HEAD_BYTES = 512;
/** The form's text fields and part headers together. */
const FIELDS_BYTES = 64 * 1024;
/** How much of a refused upload is read and dropped, so the client gets the answer (http/drain.ts). */
const DRAIN_BYTES = 16 * 1024 * 1024;

const tooLarge = (sentence: string) => new ApiError(413, "payload_too_large", sentence);
const unsupported = (sentence: string) => new ApiError(415, "unsupported_media_type", sentence);
const missingFile = (field: string) =>
  new ApiError(422, "validation_error", [{ loc: ["body", field], msg: "Field required", type: "missing" }]);

function concat(chunks: Uint8Array[], size = chunks.reduce((sum, chunk) => sum + chunk.length, 0)) {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}

/** The file being received: typed once its head is in, cut off past its rule's limit. */
class FileSink {
  readonly chunks: Uint8Array[] = [];
  size = 0;
  rule?: FileRule;

  constructor(readonly rules: UploadRules, readonly filename: string) {}

  add(chunk: Uint8Array) {
    this.chunks.push(chunk);
    this.size += chunk.length;
    if (!this.rule && this.size >= HEAD_BYTES) this.classify();
    if (this.rule && this.size > this.rule.maxBytes) throw tooLarge(this.rule.tooLarge);
  }

  classify() {
    this.rule = this.rules.classify(concat(this.chunks, this.size).subarray(0, HEAD_BYTES), this.filename);
    if (!this.rule) throw unsupported(this.rules.unsupported);
  }

  finish(fields: Record<string, string>): Upload {
    if (this.size === 0) throw new ApiError(422, "empty_file", "The file is empty.");
    if (!this.rule) this.classify();
    const bytes = concat(this.chunks, this.size);
    if (this.rule!.accepts && !this.rule!.accepts(bytes)) throw unsupported(this.rules.unsupported);
    return { bytes, rule: this.rule!, filename: this.filename, fields };
  }
}

function boundaryOf(request: Request, rules: UploadRules): string {
  const type = request.headers.get("content-type") ?? "";
  const boundary = /^multipart\/form-data\s*;.*\bboundary=(?:"([^"]+)"|([^\s;]+))/i.exec(type);
  if (!boundary) {
    throw unsupported(`Send the file as multipart/form-data in the field "${rules.field}".`);
  }
  return boundary[1] ?? boundary[2];
}

function refuseDeclaredLength(request: Request, rules: UploadRules) {
  const declared = Number(request.headers.get("content-length"));
  if (declared > rules.maxBytes + FIELDS_BYTES) throw tooLarge(rules.tooLarge);
}

async function receive(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  boundary: string,
  rules: UploadRules,
): Promise<Upload> {
  const parts = new MultipartStream(boundary, FIELDS_BYTES);
  const fields: Record<string, string> = {};
  let file: FileSink | undefined;
  let fieldBytes = 0;
  let current: { name: string; sink?: FileSink; text: Uint8Array[] } | undefined;
  while (!parts.done) {
    const { done, value } = await reader.read();
    for (const event of parts.push(done ? null : value)) {
      if (event.type === "part") {
        const isFile = event.name === rules.field && !file;
        if (isFile) file = new FileSink(rules, event.filename ?? "");
        current = { name: event.name, sink: isFile ? file : undefined, text: [] };
      } else if (event.type === "data" && current) {
        if (current.sink) current.sink.add(event.bytes);
        else {
          fieldBytes += event.bytes.length;
          if (fieldBytes > FIELDS_BYTES) throw tooLarge(rules.tooLarge);
          current.text.push(event.bytes);
        }
      } else if (event.type === "end" && current) {
        if (!current.sink) {
          fields[current.name] = new TextDecoder().decode(concat(current.text)).trim();
        }
        current = undefined;
      }
    }
    if (done) break;
  }
  if (!file) throw missingFile(rules.field);
  return file.finish(fields);
}

/**
 * The uploaded file of `request`, typed by its bytes. Throws the 413, 415 or 422 to answer, after
 * draining what the client is still sending.
 */
export async function readUpload(request: Request, rules: UploadRules): Promise<Upload> {
  if (!request.body) throw missingFile(rules.field);
  const reader = request.body.getReader();
  try {
    refuseDeclaredLength(request, rules);
    const upload = await receive(reader, boundaryOf(request, rules), rules);
    await drainReader(reader, 0);
    return upload;
  } catch (error) {
    await drainReader(reader, DRAIN_BYTES);
    throw error;
  }
}
