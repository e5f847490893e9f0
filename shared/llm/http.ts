/**
 * Calling a provider's HTTP API for JSON: one GET under a deadline, and every way it can fail
 * turned into a `ProviderError` (the key scrubbed from upstream text).
 * @module
 */
import { errorFromResponse, networkError, ProviderError, timeoutError } from "./errors.ts";
import type { ProviderId } from "./providers.ts";

export { ProviderError };

/** One call's context: who is called, with which key, until when. */
export interface CallContext {
  provider: ProviderId;
  /** Scrubbed from any upstream text that ends up in an error. */
  apiKey: string;
  signal: AbortSignal;
  /** For the timeout's message only; the deadline itself is `signal`. */
  timeoutMs: number;
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
    return timeoutError(context.provider, context.timeoutMs);
  }
  return networkError(context.provider);
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
    if (!response.ok) throw await errorFromResponse(response, context.provider, context.apiKey);
    text = await response.text();
  } catch (error) {
    if (error instanceof ProviderError) throw error;
    throw transportError(context, error);
  }
  const body = parseJson(text);
  if (body === undefined) {
    throw new ProviderError({
      provider: context.provider,
      status: response.status,
      kind: "bad_response",
      providerMessage: "answered with a body that is not JSON",
    });
  }
  return body;
}
