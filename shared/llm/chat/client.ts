/**
 * Chat completions from any supported provider: `streamChat` (one normalised event stream that
 * never throws and always ends with `finish` or `error`) and `completeChat` (one result, or a
 * thrown `ProviderError`).
 * @module
 */
import type { ChatAdapter } from "./adapter.ts";
import { anthropicAdapter } from "./anthropic.ts";
import { networkError, ProviderError, scrubKey } from "../errors.ts";
import { openAiAdapter } from "./openai.ts";
import { sseMessages } from "./sse.ts";
import { bodyText, Deadline, DEFAULT_TIMEOUT_MS, readJson, send, stoppedBy } from "../transport.ts";
import type { ChatEvent, ChatRequest, ChatResult } from "./types.ts";

function adapterFor(request: ChatRequest): ChatAdapter {
  return request.provider === "anthropic" ? anthropicAdapter : openAiAdapter;
}

/** The request's limit on the provider's silence, stopped early by the caller's signal. */
function silenceLimit(request: ChatRequest): Deadline {
  return new Deadline(request.timeoutMs ?? DEFAULT_TIMEOUT_MS, { parent: request.signal, idle: true });
}

function asProviderError(error: unknown, request: ChatRequest): ProviderError {
  if (error instanceof ProviderError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  return networkError(request.provider, scrubKey(detail, request.apiKey));
}

/**
 * Streams a reply as `ChatEvent`s: `delta`/`reasoning` text, `usage` totals, then exactly one
 * `finish` or `error`. A connection that drops mid-reply ends with `finish: "interrupted"` (the text
 * so far stands); a timeout or the caller's abort ends with an `error`. Leaving the loop early
 * closes the connection.
 *
 * @example
 * for await (const event of streamChat({ provider: "groq", apiKey, model, messages })) {
 *   if (event.type === "delta") write(event.text);
 * }
 */
export async function* streamChat(request: ChatRequest): AsyncGenerator<ChatEvent, void, undefined> {
  const adapter = adapterFor(request);
  const watchdog = silenceLimit(request);
  try {
    let response: Response;
    try {
      response = await send(adapter.call(request, true), watchdog);
    } catch (error) {
      yield { type: "error", error: asProviderError(error, request) };
      return;
    }
    const decoder = adapter.decoder(request);
    try {
      for await (const message of sseMessages(bodyText(response, watchdog))) {
        for (const event of decoder.decode(message)) {
          yield event;
          if (event.type === "error") return;
        }
        if (decoder.done) break;
      }
    } catch {
      const failure = stoppedBy(watchdog, request.provider);
      if (failure) {
        yield { type: "error", error: failure };
        return;
      }
      // Otherwise the connection dropped: decoder.end() reports what the provider had said so far.
    }
    yield decoder.end();
  } finally {
    watchdog.clear();
  }
}

/**
 * One whole reply (a non-streaming request).
 * @throws {ProviderError} when the provider refuses, fails, times out or the caller aborts.
 */
export async function completeChat(request: ChatRequest): Promise<ChatResult> {
  const adapter = adapterFor(request);
  const watchdog = silenceLimit(request);
  try {
    const response = await send(adapter.call(request, false), watchdog);
    return adapter.result(await readJson(response, watchdog, request.provider), request);
  } catch (error) {
    throw asProviderError(error, request);
  } finally {
    watchdog.clear();
  }
}
