/**
 * What each provider family implements (request, stream decoder, JSON result), and the small
 * readers both families share.
 * @module
 */
import { ProviderError, scrubKey } from "../errors.ts";
import type { SseMessage } from "./sse.ts";
import type { ChatEvent, ChatRequest, ChatResult, Usage } from "./types.ts";
import type { ProviderCall } from "../transport.ts";

/** Turns one provider's SSE messages into `ChatEvent`s; a pure state machine, fed in order. */
export interface StreamDecoder {
  /** The events one message stands for (an `error` event ends the stream). */
  decode(message: SseMessage): ChatEvent[];
  /** The provider said the stream is over (`[DONE]`, `message_stop`, an error). */
  readonly done: boolean;
  /** The closing event: `finish` with the provider's reason, `interrupted` without one, or `error`. */
  end(): ChatEvent;
}

export interface ChatAdapter {
  call(request: ChatRequest, stream: boolean): ProviderCall;
  decoder(request: ChatRequest): StreamDecoder;
  /** The non-streaming answer's text, usage and finish reason; throws a `ProviderError` for an error body. */
  result(body: unknown, request: ChatRequest): ChatResult;
}

// deno-lint-ignore no-explicit-any
export type Json = any;

/** The JSON of one SSE `data:` field, or undefined when it is not JSON (such lines are skipped). */
export function parseData(data: string): Json | undefined {
  try {
    const value = JSON.parse(data);
    return value && typeof value === "object" ? value : undefined;
  } catch {
    return undefined;
  }
}

const count = (value: unknown): number | null =>
  typeof value === "number" && Number.isFinite(value) ? value : null;

/** Token counts in the OpenAI (`prompt_tokens`...) or Anthropic (`input_tokens`...) naming; null if absent. */
export function readUsage(raw: unknown): Usage | null {
  if (!raw || typeof raw !== "object") return null;
  const usage = raw as Record<string, unknown>;
  const prompt = count(usage.prompt_tokens) ?? count(usage.input_tokens);
  const completion = count(usage.completion_tokens) ?? count(usage.output_tokens);
  if (prompt === null && completion === null) return null;
  const promptTokens = prompt ?? 0;
  const completionTokens = completion ?? 0;
  return {
    promptTokens,
    completionTokens,
    totalTokens: count(usage.total_tokens) ?? promptTokens + completionTokens,
  };
}

/** An error the provider sent inside a stream or a 2xx body (its HTTP status was already 200). */
export function bodyError(
  error: Json,
  request: ChatRequest,
  statusOfCode: (code: string | null) => number | null = () => null,
): ProviderError {
  const rawCode = error?.code ?? error?.type ?? null;
  const code = rawCode === null ? null : String(rawCode);
  const numeric = typeof rawCode === "number" && rawCode >= 400 && rawCode < 600 ? rawCode : null;
  const message = typeof error?.message === "string" ? error.message : "The provider reported an error.";
  return new ProviderError({
    provider: request.provider,
    status: numeric ?? statusOfCode(code) ?? 502,
    providerMessage: scrubKey(message, request.apiKey),
    code,
  });
}
