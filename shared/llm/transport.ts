/**
 * HTTP to a provider, for every call the backend makes (model lists, chat completions and their
 * streams, image generations and the download of their results): one request under a `Deadline`
 * (the caller's abort signal plus a time limit of its own), non-2xx answers and every way the call
 * can fail turned into `ProviderError`s, and bodies read in chunks that each count as a sign of life.
 *
 * `Deadline` is the one deadline helper of the backend (the job runner's too): a plain controller
 * and timer, cleared when the work ends — not AbortSignal.timeout/any, which would leave a live
 * timer behind for each of the thousands of short jobs of a drain — whose abort reason can explain
 * itself in a job's error_log.
 * @module
 */
import {
  badResponse,
  errorFromResponse,
  networkError,
  parseJson,
  type ProviderError,
  scrubKey,
  stoppedError,
  timeoutError,
} from "./errors.ts";
import type { ProviderId } from "./providers.ts";

/** The longest silence tolerated from a chat provider unless the request says otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface DeadlineOptions {
  /** Stops this deadline too, with the parent's reason (the caller's abort, an outer deadline). */
  parent?: AbortSignal;
  /** The message of the abort reason when the time runs out (for a job's error_log). */
  explanation?: string;
  /** Every `touch` starts the time again: a limit on silence, not on the whole call. */
  idle?: boolean;
}

/**
 * An abort signal that fires after `ms` (Infinity: never by itself, only with its parent) or as
 * soon as the parent aborts. When the time runs out the reason is an Error with the explanation as
 * its message if one was given, else a plain TimeoutError.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #ms: number;
  readonly #options: DeadlineOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #expired = false;

  constructor(ms: number, options: DeadlineOptions = {}) {
    this.#ms = ms;
    this.#options = options;
    this.#arm();
    const { parent } = options;
    if (parent?.aborted) this.#follow();
    else parent?.addEventListener("abort", this.#follow, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The provider just said something: an idle deadline starts again. */
  touch(): void {
    if (this.#options.idle) this.#arm();
  }

  /** Why the call was stopped, as the error to report; null while it has not been. */
  failure(provider: ProviderId): ProviderError | null {
    if (!this.signal.aborted) return null;
    if (this.#expired && !this.#options.explanation) return timeoutError(provider, this.#ms);
    return stoppedError(provider, this.signal.reason);
  }

  /** Releases the timer and the link to the parent; call it when the work ends. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#options.parent?.removeEventListener("abort", this.#follow);
  }

  #arm(): void {
    clearTimeout(this.#timer);
    if (this.signal.aborted || !Number.isFinite(this.#ms)) return;
    this.#timer = setTimeout(this.#expire, this.#ms);
  }

  #expire = () => {
    this.#expired = true;
    const { explanation } = this.#options;
    this.#controller.abort(
      explanation ? new Error(explanation) : new DOMException("Timed out.", "TimeoutError"),
    );
  };

  #follow = () => {
    clearTimeout(this.#timer);
    this.#controller.abort(this.#options.parent?.reason);
  };
}

/** A deadline `ms` from now (see `Deadline`). */
export function deadline(ms: number, options: DeadlineOptions = {}): Deadline {
  return new Deadline(ms, options);
}

/** One request to a provider. The key is sent only in `headers`; it is scrubbed from any error. */
export interface ProviderCall {
  provider: ProviderId;
  apiKey: string;
  url: string;
  headers?: Record<string, string>;
  /** Sent as JSON in a POST; without it the call is a GET. */
  body?: unknown;
}

/** Why fetch failed, without the key or the URL (which may carry credentials of its own). */
function cause(error: unknown, call: ProviderCall): string {
  const message = error instanceof Error ? error.message : String(error);
  return scrubKey(message.replaceAll(call.url, "[url]"), call.apiKey);
}

/** Sends the call; resolves with a 2xx response, else throws a `ProviderError`. */
export async function send(call: ProviderCall, limit: Deadline): Promise<Response> {
  const json = call.body !== undefined;
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: json ? "POST" : "GET",
      headers: json ? { "content-type": "application/json", ...call.headers } : call.headers,
      body: json ? JSON.stringify(call.body) : undefined,
      signal: limit.signal,
    });
  } catch (error) {
    throw limit.failure(call.provider) ??
      networkError(call.provider, `could not be reached: ${cause(error, call)}`);
  }
  limit.touch();
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

/** The body as decoded text chunks (a stream's). Throws whatever broke it off: see `Deadline.failure`. */
export async function* bodyText(response: Response, limit: Deadline): AsyncGenerator<string> {
  const decoder = new TextDecoder();
  for await (const chunk of bodyChunks(response, limit)) {
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
    throw limit.failure(provider) ?? networkError(provider, `answer broke off: ${(error as Error).message}`);
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
