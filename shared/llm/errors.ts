/**
 * `ProviderError`: one failed provider call, whatever it was (a model list, a chat completion
 * before or during its stream, an image generation or the download of its result). It carries the
 * provider's HTTP status (or the status its mid-stream error stands for), the provider's own message
 * with the API key scrubbed out, the kind of failure, whether trying again can ever help, and how
 * long to wait before trying when the provider said; plus the readers that build one from a
 * provider's answer or from why a call was stopped.
 * @module
 */
import type { ProviderId } from "./providers.ts";

export type ProviderErrorKind =
  | "auth"
  | "payment"
  | "rate_limit"
  | "bad_request"
  | "server"
  | "timeout"
  | "network"
  | "aborted"
  /** A 2xx answer that is not what the endpoint returns (not JSON, not a model list, no image). */
  | "bad_response"
  /** Never sent: the destination guard refused the URL (./destinations.ts). */
  | "refused";

const MAX_MESSAGE_CHARS = 500;
/** Kinds whose message is ours (no answer to quote), so no "answered <status>" in front of it. */
const WITHOUT_ANSWER: readonly ProviderErrorKind[] = [
  "timeout",
  "network",
  "aborted",
  "bad_response",
  "refused",
];
/** 4xx statuses that can pass: request timeout, conflict, too early, too many requests. */
const TRANSIENT_4XX: readonly number[] = [408, 409, 425, 429];
/** Kinds that never pass by themselves when there is no status to judge by (a missing base URL). */
const PERMANENT_KINDS: readonly ProviderErrorKind[] = ["auth", "payment", "bad_request", "refused"];
/**
 * The longest wait a provider's Retry-After is taken at, in seconds; a longer one is read as this
 * (the job queue's own backoff caps at an hour too, and a client is better told to come back then).
 */
export const MAX_RETRY_AFTER_SECONDS = 3600;

export interface ProviderErrorInit {
  provider: ProviderId;
  /** HTTP status the provider answered with (or its mid-stream error stands for); null without an answer. */
  status: number | null;
  /** The provider's own words (scrub the key first: see `scrubKey`), or ours when it said nothing. */
  providerMessage: string;
  /** Whole seconds to wait before retrying (see `retryAfterSeconds`); null when not given. */
  retryAfter?: number | null;
  /** The provider's own error code or type, e.g. `rate_limit_exceeded`, `overloaded_error`. */
  code?: string | null;
  /** Default: the kind the status stands for. */
  kind?: ProviderErrorKind;
  /** Default: by the status (see `isPermanentStatus`), else by the kind. */
  permanent?: boolean;
}

/**
 * A provider call that failed. Nothing in it carries the API key or the request's URL. Its message
 * reads "<provider> <reason>", e.g. "openai answered 429: Slow down." or "groq timed out after 5 s".
 */
export class ProviderError extends Error {
  readonly provider: ProviderId;
  readonly status: number | null;
  readonly providerMessage: string;
  /** What went wrong, as a phrase fit for a user after the provider's name ("answered 429: ..."). */
  readonly reason: string;
  readonly retryAfter: number | null;
  readonly code: string | null;
  readonly kind: ProviderErrorKind;
  /**
   * The same request can never succeed (a bad key, a refused prompt, an unknown model, any 4xx but
   * 408/409/425/429); otherwise it is worth trying again later (rate limits, outages, timeouts).
   */
  readonly permanent: boolean;

  constructor(init: ProviderErrorInit) {
    const providerMessage = shorten(init.providerMessage);
    const kind = init.kind ?? kindOfStatus(init.status);
    const reason = init.status !== null && !WITHOUT_ANSWER.includes(kind)
      ? `answered ${init.status}: ${providerMessage}`
      : providerMessage;
    super(`${init.provider} ${reason}`);
    this.name = "ProviderError";
    this.provider = init.provider;
    this.status = init.status;
    this.providerMessage = providerMessage;
    this.reason = reason;
    this.retryAfter = init.retryAfter ?? null;
    this.code = init.code ?? null;
    this.kind = kind;
    this.permanent = init.permanent ??
      (init.status === null ? PERMANENT_KINDS.includes(kind) : isPermanentStatus(init.status));
  }
}

function shorten(text: string): string {
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS)}…` : text;
}

/** The kind of failure an HTTP status stands for. */
export function kindOfStatus(status: number | null): ProviderErrorKind {
  if (status === 401 || status === 403) return "auth";
  if (status === 402) return "payment";
  if (status === 408) return "timeout";
  if (status === 429) return "rate_limit";
  if (status !== null && status >= 500) return "server";
  return status === null ? "network" : "bad_request";
}

/** Whether an answer with this status means the request will never succeed as it is. */
export function isPermanentStatus(status: number): boolean {
  return status >= 400 && status < 500 && !TRANSIENT_4XX.includes(status);
}

/** The provider stayed silent longer than `timeoutMs` (our own deadline ran out). */
export function timeoutError(provider: ProviderId, timeoutMs: number): ProviderError {
  const seconds = Math.round(timeoutMs / 100) / 10;
  return new ProviderError({
    provider,
    status: null,
    kind: "timeout",
    providerMessage: `timed out after ${seconds} s`,
  });
}

/** The provider could not be reached (DNS, refused, reset); `detail` must not hold the key. */
export function networkError(provider: ProviderId, detail = "could not be reached"): ProviderError {
  return new ProviderError({ provider, status: null, kind: "network", providerMessage: detail });
}

/**
 * The destination guard refused the call's URL: nothing was sent, and the same URL never passes.
 * `message` reads after the provider's name and must not quote anything a resolver or provider said.
 */
export function refusedError(provider: ProviderId, message: string): ProviderError {
  return new ProviderError({ provider, status: null, kind: "refused", providerMessage: message });
}

/** A 2xx answer that is not what the endpoint returns; `status` is the answer's when it matters. */
export function badResponse(
  provider: ProviderId,
  message: string,
  options: { status?: number | null; permanent?: boolean } = {},
): ProviderError {
  return new ProviderError({
    provider,
    status: options.status ?? null,
    kind: "bad_response",
    providerMessage: message,
    permanent: options.permanent ?? false,
  });
}

/**
 * The call was stopped by the caller's signal, read from its reason: an Error that explains itself
 * (e.g. "was still working when the worker's time budget ran out") is a timeout in those words; a
 * plain `TimeoutError` is a timeout without them; anything else is an abort.
 */
export function stoppedError(provider: ProviderId, reason: unknown): ProviderError {
  const named = reason instanceof Error ? reason.name : "";
  if (reason instanceof Error && named !== "AbortError" && named !== "TimeoutError") {
    return new ProviderError({ provider, status: null, kind: "timeout", providerMessage: reason.message });
  }
  return named === "TimeoutError"
    ? new ProviderError({
      provider,
      status: null,
      kind: "timeout",
      providerMessage: "did not answer in time",
    })
    : new ProviderError({ provider, status: null, kind: "aborted", providerMessage: "request aborted" });
}

/**
 * Whole seconds to wait, from `retry-after-ms` (OpenAI) or `Retry-After` (seconds or an HTTP
 * date): rounded up (a wait is never cut short), at least 0, at most `MAX_RETRY_AFTER_SECONDS`;
 * null when the provider said nothing readable.
 */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | null {
  const millis = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(millis)) return wholeSeconds(millis / 1000);
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return wholeSeconds(Number(value));
  // An HTTP date names its day and month ("Thu, 01 Jan 2026 ..."); Date.parse would take "-5" as a year.
  const date = /[a-z]/i.test(value) ? Date.parse(value) : NaN;
  return Number.isNaN(date) ? null : wholeSeconds((date - now) / 1000);
}

function wholeSeconds(seconds: number): number {
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(seconds)));
}

/** Removes the API key from anything a provider echoes back (some quote the key they refused). */
export function scrubKey(text: string, apiKey: string): string {
  return apiKey ? text.replaceAll(apiKey, "[redacted]") : text;
}

interface ErrorBody {
  error?: { message?: unknown; type?: unknown; code?: unknown } | string;
  message?: unknown;
  detail?: unknown;
  type?: unknown;
}

/** The message and code inside the error bodies providers send (OpenAI, Anthropic, Mistral shapes). */
export function describeErrorBody(body: unknown): { message: string | null; code: string | null } {
  if (!body || typeof body !== "object") return { message: null, code: null };
  const { error, message, detail, type } = body as ErrorBody;
  if (typeof error === "string") return { message: error || null, code: null };
  const text = error?.message ?? message ?? detail;
  const code = error?.code ?? error?.type ?? type;
  return {
    message: text === undefined || text === null || text === ""
      ? null
      : typeof text === "string"
      ? text
      : JSON.stringify(text),
    code: code === undefined || code === null ? null : String(code),
  };
}

/** The JSON `text` holds, or undefined when it is not JSON. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The `ProviderError` for a non-2xx answer, read from its body and headers. */
export async function errorFromResponse(
  response: Response,
  provider: ProviderId,
  apiKey: string,
): Promise<ProviderError> {
  const text = await response.text().catch(() => "");
  const { message, code } = describeErrorBody(parseJson(text));
  const fallback = text.trim() || response.statusText || "no reason given";
  return new ProviderError({
    provider,
    status: response.status,
    providerMessage: scrubKey(message ?? fallback, apiKey),
    retryAfter: retryAfterSeconds(response.headers),
    code,
  });
}
