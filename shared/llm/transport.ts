/**
 * HTTP to a provider, for every call the backend makes (model lists, chat completions and their
 * streams, image generations and the download of their results): one request under a `Deadline`
 * (the caller's abort signal plus a time limit of its own: runtime/deadline.ts, the job runner's
 * too), non-2xx answers and every way the call can fail turned into `ProviderError`s, and bodies
 * read in chunks that each count as a sign of life.
 *
 * Before any connection the destination guard (./destinations.ts) checks the URL: a refused one
 * is a permanent `refused` error and nothing is sent. Redirects are never followed (`redirect:
 * "manual"`): a 3xx answer is a permanent failure that names only its status, so a public URL
 * cannot hand the call on to a private one and the guard's one check covers the whole call.
 * @module
 */
import {
  badResponse,
  errorFromResponse,
  networkError,
  parseJson,
  type ProviderError,
  refusedError,
  scrubKey,
  stoppedError,
  timeoutError,
} from "./errors.ts";
import type { ProviderId } from "./providers.ts";
import { destinationRefusal, PUBLIC_ONLY } from "./destinations.ts";
import { Deadline, deadline } from "../runtime/deadline.ts";

export { Deadline, deadline };

/** The longest silence tolerated from a chat provider unless the request says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

/** Why the call was stopped, as the error to report; null while the deadline has not fired. */
export function stoppedBy(limit: Deadline, provider: ProviderId): ProviderError | null {
  if (!limit.signal.aborted) return null;
  if (limit.timedOut) return timeoutError(provider, limit.ms);
  return stoppedError(provider, limit.signal.reason);
}

/** One request to a provider. The key is sent only in `headers`; it is scrubbed from any error. */
export interface ProviderCall {
  provider: ProviderId;
  apiKey: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON in a POST; without it the call is a GET. */
  body?: unknown;
  /**
   * How a refused destination reads after the provider's name, given why it was refused (default:
   * "was not called: the destination was refused (<why>; only public internet addresses are called)").
   */
  refusal?: (why: string) => string;
}

const notCalled = (why: string) => `was not called: the destination was refused (${why}; ${PUBLIC_ONLY})`;

/**
 * Throws unless the destination guard lets `call.url` be called (see ./destinations.ts): a
 * `refused` ProviderError, or a network one when its name could not be looked up.
 */
export async function checkDestination(
  call: Pick<ProviderCall, "provider" | "url" | "refusal">,
  limit: Deadline,
): Promise<void> {
  let why: string | null;
  try {
    why = await destinationRefusal(call.url, limit.signal);
  } catch {
    throw stoppedBy(limit, call.provider) ??
      networkError(call.provider, "could not be reached: its name could not be looked up");
  }
  if (why) throw refusedError(call.provider, (call.refusal ?? notCalled)(why));
}

/** A 3xx answer: not followed (see the module doc); its body and `Location` are not read. */
async function redirectError(response: Response, provider: ProviderId): Promise<ProviderError> {
  await response.body?.cancel().catch(() => {});
  return badResponse(
    provider,
    `answered with a redirect (${response.status}), which is not followed: use the URL it redirects to`,
    { status: response.status, permanent: true },
  );
}

/** Why fetch failed, without the key or the URL (which may carry credentials of its own). */
function cause(error: unknown, call: ProviderCall): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrubKey(message.replaceAll(call.url, "[url]"), call.apiKey);
}

/** Sends the call; resolves with a 2xx response, else throws a `ProviderError`. */
export async function send(call: ProviderCall, limit: Deadline): Promise<Response> {
  await checkDestination(call, limit);
  const json = call.body !== undefined;
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: json ? "POST" : "GET",
      headers: json ? { "content-type": "application/json", ...call.headers } : call.headers,
      body: json ? JSON.stringify(call.body) : undefined,
      redirect: "manual",
      signal: limit.signal,
    });
  } catch (error) {
    throw stoppedBy(limit, call.provider) ??
      networkError(call.provider, `could not be reached: ${cause(error, call)}`);
  }
  limit.touch();
  if (response.status >= 300 && response.status < 400) throw await redirectError(response, call.provider);
  if (!response.ok) throw await errorFromResponse(response, call.provider, call.apiKey);
  return response;
}

/** The body's byte chunks; every chunk resets an idle deadline. Leaving early cancels the body. */
async function* bodyChunks(response: Response, limit: Deadline): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  const reader = response.body.getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      limit.touch();
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Bytes read at most at once from a streamed body into the one reused buffer. */
const STREAM_READ_BYTES = 16 * 1024;

/**
 * The body's byte chunks, each read into the same buffer (valid until the next one is asked for):
 * no new buffer per chunk. A body that is not a byte stream is read as `bodyChunks` reads it.
 */
async function* reusedBodyChunks(response: Response, limit: Deadline): AsyncGenerator<Uint8Array> {
  if (!response.body) return;
  let reader: ReadableStreamBYOBReader;
  try {
    reader = response.body.getReader({ mode: "byob" });
  } catch {
    return yield* bodyChunks(response, limit);
  }
  let buffer = new ArrayBuffer(STREAM_READ_BYTES);
  try {
    while (true) {
      const { done, value } = await reader.read(new Uint8Array(buffer));
      if (done) return;
      limit.touch();
      yield value;
      buffer = value.buffer;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The body as decoded text chunks (a stream's). Throws whatever broke it off: see `stoppedBy`. */
export async function* bodyText(response: Response, limit: Deadline): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of reusedBodyChunks(response, limit)) {
    const text = decoder.decode(chunk, { stream: true });
    if (text) yield text;
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function collect(response: Response, limit: Deadline, maxBytes: number): Promise<Uint8Array | null> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of bodyChunks(response, limit)) {
    size += chunk.byteLength;
    if (size > maxBytes) return null;
    parts.push(chunk);
  }
  const bytes = new Uint8Array(size);
  parts.reduce((offset, part) => (bytes.set(part, offset), offset + part.byteLength), 0);
  return bytes;
}

/**
 * The whole body as bytes, or null when it is larger than `maxBytes` (then it is not read on).
 * @throws {ProviderError} when the deadline stops it or the body breaks off.
 */
export async function readBytes(
  response: Response,
  limit: Deadline,
  provider: ProviderId,
  maxBytes = Infinity,
): Promise<Uint8Array | null> {
  if (Number(response.headers.get("content-length") ?? 0) > maxBytes) {
    await response.body?.cancel().catch(() => {});
    return null;
  }
  try {
    return await collect(response, limit, maxBytes);
  } catch (error) {
    throw stoppedBy(limit, provider) ??
      networkError(provider, `answer broke off: ${(error as Error).message}`);
  }
}

/** The whole body as JSON (leading blank keep-alive lines are fine: JSON allows whitespace). */
export async function readJson(response: Response, limit: Deadline, provider: ProviderId): Promise<unknown> {
  const bytes = await readBytes(response, limit, provider);
  const body = parseJson(new TextDecoder().decode(bytes ?? new Uint8Array()));
  if (body === undefined) {
    throw badResponse(provider, "answered with a body that is not JSON", { status: response.status });
  }
  return body;
}

/** Sends the call asking for JSON and returns the answer's body, or throws a `ProviderError`. */
export async function fetchJson(call: ProviderCall, limit: Deadline): Promise<unknown> {
  const response = await send({ ...call, headers: { accept: "application/json", ...call.headers } }, limit);
  return await readJson(response, limit, call.provider);
}
