/**
 * How an image provider call failed, and whether trying again later can help: timeouts, rate limits
 * (with the provider's Retry-After) and server errors can; a bad key, a refused prompt or an unknown
 * model cannot. Reasons are sentences fit for a user: the key is redacted from provider text.
 * @module
 */

export type ImageFailure =
  | "timeout"
  | "unreachable"
  | "rate_limited"
  | "upstream_error"
  | "unauthorized"
  | "rejected"
  | "bad_response";

/** Statuses that mean "this request will never succeed as it is". */
const PERMANENT_STATUSES = new Set([400, 401, 403, 404, 405, 413, 415, 422]);
const MAX_REASON_CHARS = 500;
/** A Retry-After beyond this is treated as this: the queue's own backoff caps at an hour too. */
const MAX_RETRY_AFTER_SECONDS = 3600;

export class ImageGenerationError extends Error {
  /** True when the same request can never succeed (bad key, bad prompt, unknown model ...). */
  readonly permanent: boolean;
  /** The provider asked to wait this long before trying again (429/503 Retry-After). */
  readonly retryAfterSeconds: number | null;
  readonly status: number | null;

  constructor(
    readonly provider: string,
    readonly kind: ImageFailure,
    readonly reason: string,
    options: { permanent?: boolean; retryAfterSeconds?: number | null; status?: number | null } = {},
  ) {
    super(`${provider} ${reason}`);
    this.name = "ImageGenerationError";
    this.permanent = options.permanent ?? false;
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
    this.status = options.status ?? null;
  }
}

interface KeyHolder {
  provider: string;
  apiKey: string;
}

/** `text` with the key masked, shortened to a readable length. */
export function redact(text: string, secret: string): string {
  const masked = secret.length > 0 ? text.split(secret).join("[redacted]") : text;
  return masked.length > MAX_REASON_CHARS ? `${masked.slice(0, MAX_REASON_CHARS)}…` : masked;
}

/** The human part of an error body: `error.message`, `message`, `detail` or `error`. */
export function upstreamReason(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const nested = record.error as Record<string, unknown> | undefined;
  if (typeof nested === "object" && nested !== null && typeof nested.message === "string" && nested.message) {
    return nested.message;
  }
  for (const candidate of [record.message, record.detail, record.error]) {
    if (typeof candidate === "string" && candidate) return candidate;
  }
  return undefined;
}

/** Retry-After as seconds: a number of seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfter(value: string | null, now = Date.now()): number | null {
  if (!value) return null;
  const trimmed = value.trim();
  const seconds = /^\d+$/.test(trimmed) ? Number(trimmed) : (Date.parse(trimmed) - now) / 1000;
  if (!Number.isFinite(seconds)) return null;
  return Math.min(MAX_RETRY_AFTER_SECONDS, Math.max(0, Math.ceil(seconds)));
}

function failureOf(status: number): ImageFailure {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 429) return "rate_limited";
  if (status >= 500 || status === 408) return "upstream_error";
  return "rejected";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The error a non-2xx answer means. */
export async function errorFromResponse(
  target: KeyHolder,
  response: Response,
): Promise<ImageGenerationError> {
  const text = await response.text().catch(() => "");
  const said = upstreamReason(parseJson(text)) ?? (text.trim().slice(0, 200) || response.statusText);
  const reason = `answered ${response.status}: ${redact(said || "no reason given", target.apiKey)}`;
  const permanent = PERMANENT_STATUSES.has(response.status) ||
    (response.status >= 400 && response.status < 500 && ![408, 409, 425, 429].includes(response.status));
  return new ImageGenerationError(target.provider, failureOf(response.status), reason, {
    permanent,
    status: response.status,
    retryAfterSeconds: parseRetryAfter(response.headers.get("retry-after")),
  });
}

/** The error a failed fetch means: our deadline, the caller's abort, or an unreachable host. */
export function errorFromTransport(
  target: KeyHolder,
  error: unknown,
  signal: AbortSignal,
): ImageGenerationError {
  if (signal.aborted) {
    const reason = signal.reason;
    // A plain timeout or abort says nothing useful; an abort the caller explained (budget) does.
    const explained = reason instanceof Error && !["AbortError", "TimeoutError"].includes(reason.name);
    const why = explained ? reason.message : "did not answer in time";
    return new ImageGenerationError(target.provider, "timeout", why);
  }
  const detail = error instanceof Error ? error.message : String(error);
  return new ImageGenerationError(
    target.provider,
    "unreachable",
    `could not be reached (${redact(detail, target.apiKey)})`,
  );
}
