/**
 * Calling a provider's HTTP API: one JSON GET under a deadline, and every way it can fail turned
 * into a `ProviderError` whose reason is safe to show (the key is redacted from upstream text).
 * @module
 */
import type { ProviderId } from "./providers.ts";

/** Why a provider call failed. */
export type ProviderFailure =
  | "unauthorized"
  | "timeout"
  | "unreachable"
  | "rate_limited"
  | "upstream_error"
  | "bad_response";

/** A provider call that failed; `reason` is a sentence fit for a user (no key, no URL). */
export class ProviderError extends Error {
  constructor(
    readonly provider: ProviderId,
    readonly kind: ProviderFailure,
    readonly reason: string,
    readonly status: number | null = null,
  ) {
    super(`${provider}: ${reason}`);
    this.name = "ProviderError";
  }
}

/** One call's context: who is called, with which key, until when. */
export interface CallContext {
  provider: ProviderId;
  /** Redacted from any upstream text that ends up in a reason. */
  apiKey: string;
  signal: AbortSignal;
  /** For the timeout's reason only; the deadline itself is `signal`. */
  timeoutMs: number;
}

const MAX_REASON_CHARS = 300;

/** `text` with every occurrence of `secret` masked, shortened to a readable length. */
export function redact(text: string, secret: string): string {
  const masked = secret.length > 0 ? text.split(secret).join("[redacted]") : text;
  return masked.length > MAX_REASON_CHARS ? `${masked.slice(0, MAX_REASON_CHARS)}…` : masked;
}

/** The human part of a provider's error body: `error.message`, `message`, `detail` or `error`. */
export function upstreamReason(body: unknown): string | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const record = body as Record<string, unknown>;
  const error = record.error;
  if (typeof error === "object" && error !== null) {
    const message = (error as Record<string, unknown>).message;
    if (typeof message === "string" && message) return message;
  }
  for (const candidate of [record.message, record.detail, error]) {
    if (typeof candidate === "string" && candidate) return candidate;
  }
  return undefined;
}

function failureOf(status: number): ProviderFailure {
  if (status === 401 || status === 403) return "unauthorized";
  if (status === 429) return "rate_limited";
  return "upstream_error";
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function transportError(context: CallContext, error: unknown): ProviderError {
  if (context.signal.aborted || (error instanceof DOMException && error.name === "TimeoutError")) {
    const seconds = Math.round(context.timeoutMs / 100) / 10;
    return new ProviderError(context.provider, "timeout", `timed out after ${seconds} s`);
  }
  return new ProviderError(context.provider, "unreachable", "could not be reached");
}

async function statusError(context: CallContext, response: Response): Promise<ProviderError> {
  const text = await response.text();
  const reason = upstreamReason(parseJson(text)) ?? (text.trim() || response.statusText || "no reason given");
  return new ProviderError(
    context.provider,
    failureOf(response.status),
    `answered ${response.status}: ${redact(reason, context.apiKey)}`,
    response.status,
  );
}

/** GETs `url` and returns its JSON body, or throws a `ProviderError`. */
export async function getJson(context: CallContext, url: string, headers: Record<string, string>) {
  let response: Response;
  let text: string;
  try {
    response = await fetch(url, {
      headers: { accept: "application/json", ...headers },
      signal: context.signal,
    });
    if (!response.ok) throw await statusError(context, response);
    text = await response.text();
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw transportError(context, error);
  }
  const body = parseJson(text);
  if (body === undefined) {
    throw new ProviderError(context.provider, "bad_response", "answered with a body that is not JSON");
  }
  return body;
}
