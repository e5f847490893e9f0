/**
 * HTTP to a provider: one POST under a watchdog (the caller's abort signal plus an idle timeout),
 * non-2xx answers turned into `ProviderError`s, and the body read as text chunks that each reset
 * the idle timer.
 * @module
 */
import { errorFromResponse, networkError, ProviderError, scrubKey, timeoutError } from "../errors.ts";
import type { ProviderId } from "../providers.ts";

export const DEFAULT_TIMEOUT_MS = 60_000;

/** Aborts a request when the caller's signal fires or the provider stays silent too long. */
export class Watchdog {
  readonly #controller = new AbortController();
  readonly #timeoutMs: number;
  readonly #outer?: AbortSignal;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #reason: "timeout" | "aborted" | null = null;

  constructor(timeoutMs = DEFAULT_TIMEOUT_MS, outer?: AbortSignal) {
    this.#timeoutMs = timeoutMs;
    this.#outer = outer;
    outer?.addEventListener("abort", this.#onAbort);
    if (outer?.aborted) this.#onAbort();
    this.touch();
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The provider just said something: the silence starts again. */
  touch(): void {
    clearTimeout(this.#timer);
    if (this.#reason) return;
    this.#timer = setTimeout(() => this.#stop("timeout"), this.#timeoutMs);
  }

  /** Why the watchdog stopped the request, as the error to report; null while it has not. */
  failure(provider: ProviderId): ProviderError | null {
    if (this.#reason === "timeout") return timeoutError(provider, this.#timeoutMs);
    if (this.#reason === "aborted") {
      return new ProviderError({
        provider,
        status: null,
        kind: "aborted",
        providerMessage: "request aborted",
      });
    }
    return null;
  }

  dispose(): void {
    clearTimeout(this.#timer);
    this.#outer?.removeEventListener("abort", this.#onAbort);
  }

  #onAbort = () => this.#stop("aborted");

  #stop(reason: "timeout" | "aborted"): void {
    this.#reason ??= reason;
    clearTimeout(this.#timer);
    this.#controller.abort();
  }
}

export interface ProviderCall {
  provider: ProviderId;
  apiKey: string;
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** POSTs the call; resolves with a 2xx response, else throws a `ProviderError`. */
export async function post(call: ProviderCall, watchdog: Watchdog): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(call.url, {
      method: "POST",
      headers: { "content-type": "application/json", ...call.headers },
      body: JSON.stringify(call.body),
      signal: watchdog.signal,
    });
  } catch (error) {
    throw watchdog.failure(call.provider) ??
      networkError(call.provider, scrubKey(`could not be reached: ${(error as Error).message}`, call.apiKey));
  }
  watchdog.touch();
  if (!response.ok) throw await errorFromResponse(response, call.provider, call.apiKey);
  return response;
}

/** The body as decoded text chunks; every chunk resets the idle timer. Throws if the body breaks off. */
export async function* bodyText(response: Response, watchdog: Watchdog): AsyncGenerator<string> {
  if (!response.body) return;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) return;
      watchdog.touch();
      yield value;
    }
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** The whole body as JSON (leading blank keep-alive lines are fine: JSON allows whitespace). */
export async function readJson(
  response: Response,
  watchdog: Watchdog,
  provider: ProviderId,
): Promise<unknown> {
  let text = "";
  try {
    for await (const chunk of bodyText(response, watchdog)) text += chunk;
  } catch (error) {
    throw watchdog.failure(provider) ??
      networkError(provider, `answer broke off: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ProviderError({
      provider,
      status: response.status,
      kind: "bad_response",
      providerMessage: "answered with a body that is not JSON",
    });
  }
}
