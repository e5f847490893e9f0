/**
 * `ProviderError`: a provider refused or failed a request, before or during the stream. It carries
 * the provider's HTTP status (or the status its mid-stream error stands for), the provider's own
 * message with the API key scrubbed out, and how long to wait before retrying when the provider said.
 * @module
 */

export type ProviderErrorKind =
  | "auth"
  | "payment"
  | "rate_limit"
  | "bad_request"
  | "server"
  | "timeout"
  | "network"
  | "aborted";

const MAX_MESSAGE_CHARS = 500;

export interface ProviderErrorInit {
  provider: string;
  /** HTTP status the provider answered with (or its mid-stream error stands for); null without an answer. */
  status: number | null;
  providerMessage: string;
  /** Seconds to wait before retrying, from `Retry-After` / `retry-after-ms`; null when not given. */
  retryAfter?: number | null;
  /** The provider's own error code or type, e.g. `rate_limit_exceeded`, `overloaded_error`. */
  code?: string | null;
  kind?: ProviderErrorKind;
}

export class ProviderError extends Error {
  readonly provider: string;
  readonly status: number | null;
  readonly providerMessage: string;
  readonly retryAfter: number | null;
  readonly code: string | null;
  readonly kind: ProviderErrorKind;

  constructor(init: ProviderErrorInit) {
    const providerMessage = init.providerMessage.slice(0, MAX_MESSAGE_CHARS);
    super(`${init.provider}${init.status ? ` (${init.status})` : ""}: ${providerMessage}`);
    this.name = "ProviderError";
    this.provider = init.provider;
    this.status = init.status;
    this.providerMessage = providerMessage;
    this.retryAfter = init.retryAfter ?? null;
    this.code = init.code ?? null;
    this.kind = init.kind ?? kindOfStatus(init.status);
  }

  /** Worth trying again later (rate limits, provider outages, timeouts, network failures). */
  get retryable(): boolean {
    return ["rate_limit", "server", "timeout", "network"].includes(this.kind);
  }
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
  if (typeof error === "string") return { message: error, code: null };
  const text = error?.message ?? message ?? detail;
  const code = error?.code ?? error?.type ?? type;
  return {
    message: text === undefined || text === null
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
  provider: string,
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
  const fallback = text.trim() || response.statusText || `HTTP ${response.status}`;
  return new ProviderError({
    provider,
    status: response.status,
    providerMessage: scrubKey(message ?? fallback, apiKey),
    retryAfter: retryAfterSeconds(response.headers),
    code,
  });
}
