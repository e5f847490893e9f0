/**
 * `ProviderError`: one failed provider call, whatever it was (a model list, a chat completion,
 * before or during a stream). It carries the provider's HTTP status (or the status its mid-stream
 * error stands for), the provider's own message with the API key scrubbed out, how long to wait
 * before retrying when the provider said, and the kind of failure; plus the readers that build one
 * from a provider's answer.
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
  /** A 2xx answer that is not what the endpoint returns (not JSON, not a model list). */
  | "bad_response";

const MAX_MESSAGE_CHARS = 500;
const RETRYABLE: readonly ProviderErrorKind[] = ["rate_limit", "server", "timeout", "network"];
/** Kinds whose message is ours (no answer to quote), so no "answered <status>" in front of it. */
const WITHOUT_ANSWER: readonly ProviderErrorKind[] = ["timeout", "network", "aborted", "bad_response"];

export interface ProviderErrorInit {
  provider: ProviderId;
  /** HTTP status the provider answered with (or its mid-stream error stands for); null without an answer. */
  status: number | null;
  /** The provider's own words (scrub the key first: see `scrubKey`), or ours when it said nothing. */
  providerMessage: string;
  /** Seconds to wait before retrying, from `Retry-After` / `retry-after-ms`; null when not given. */
  retryAfter?: number | null;
  /** The provider's own error code or type, e.g. `rate_limit_exceeded`, `overloaded_error`. */
  code?: string | null;
  /** Default: the kind the status stands for. */
  kind?: ProviderErrorKind;
}

/** A provider call that failed. Nothing in it carries the API key or the request's URL. */
export class ProviderError extends Error {
  readonly provider: ProviderId;
  readonly status: number | null;
  readonly providerMessage: string;
  readonly retryAfter: number | null;
  readonly code: string | null;
  readonly kind: ProviderErrorKind;

  constructor(init: ProviderErrorInit) {
    const providerMessage = shorten(init.providerMessage);
    const kind = init.kind ?? kindOfStatus(init.status);
    const reason = init.status !== null && !WITHOUT_ANSWER.includes(kind)
      ? `answered ${init.status}: ${providerMessage}`
      : providerMessage;
    super(`${init.provider}: ${reason}`);
    this.name = "ProviderError";
    this.provider = init.provider;
    this.status = init.status;
    this.providerMessage = providerMessage;
    this.retryAfter = init.retryAfter ?? null;
    this.code = init.code ?? null;
    this.kind = kind;
  }

  /** What went wrong, as a phrase fit for a user after the provider's name ("answered 429: ..."). */
  get reason(): string {
    return this.message.slice(this.provider.length + 2);
  }

  /** Worth trying again later (rate limits, provider outages, timeouts, network failures). */
  get retryable(): boolean {
    return RETRYABLE.includes(this.kind);
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

/** The provider stayed silent longer than `timeoutMs`. */
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

/** Seconds to wait, from `retry-after-ms` (OpenAI) or `Retry-After` (seconds or an HTTP date). */
export function retryAfterSeconds(headers: Headers, now = Date.now()): number | null {
  const millis = Number(headers.get("retry-after-ms"));
  if (headers.has("retry-after-ms") && Number.isFinite(millis) && millis >= 0) return millis / 1000;
  const value = headers.get("retry-after")?.trim();
  if (!value) return null;
  if (/^\d+(\.\d+)?$/.test(value)) return Number(value);
  const date = Date.parse(value);
  return Number.isNaN(date) ? null : Math.max(0, Math.round((date - now) / 1000));
}

/** Removes the API key from anything a provider echoes back (some quote the key they refused). */
export function scrubKey(text: string, apiKey: string): string {
  return apiKey.length >= 8 ? text.replaceAll(apiKey, "[redacted]") : text;
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

/** The `ProviderError` for a non-2xx answer, read from its body and headers. */
export async function errorFromResponse(
  response: Response,
  provider: ProviderId,
  apiKey: string,
): Promise<ProviderError> {
  const text = await response.text().catch(() => "");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  const { message, code } = describeErrorBody(parsed);
  const fallback = text.trim() || response.statusText || "no reason given";
  return new ProviderError({
    provider,
    status: response.status,
    providerMessage: scrubKey(message ?? fallback, apiKey),
    retryAfter: retryAfterSeconds(response.headers),
    code,
  });
}
