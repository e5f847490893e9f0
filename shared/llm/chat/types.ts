/**
 * The provider-neutral shapes of a chat completion: what goes in, the one event stream every
 * provider's stream is turned into, and the result of a non-streaming call.
 * @module
 */
import type { ProviderError } from "../errors.ts";
import type { ProviderId } from "../providers.ts";

/** Providers whose chat completions this client speaks (API.md "Providers", minus image-only ones). */
export type ChatProvider = Exclude<ProviderId, "imagerouter">;

/** An image sent with a user message, as base64 (each provider wraps it in its own wire format). */
export interface ChatImage {
  mimeType: string;
  base64: string;
}

export interface ChatMessage {
  role: "system" | "user" | "assistant";
  content: string;
  /** Images of a user message (the model must take images). */
  images?: ChatImage[];
}

/** Generation settings of a saved model (API.md `ModelConfiguration.settings`); all optional. */
export interface ChatSettings {
  temperature?: number;
  max_tokens?: number;
  top_p?: number;
  frequency_penalty?: number;
  presence_penalty?: number;
}

export interface ChatRequest {
  provider: ChatProvider;
  /** The provider's API root, e.g. `https://api.openai.com/v1`; defaults per provider (required for `openai_compatible`). */
  baseUrl?: string;
  apiKey: string;
  model: string;
  messages: ChatMessage[];
  settings?: ChatSettings;
  /** Aborts the request (and the stream) when it fires. */
  signal?: AbortSignal;
  /**
   * Longest silence tolerated from the provider, in ms: until the response headers, then between
   * two chunks of the body (SSE keep-alive comments count as activity). Default 60 000.
   */
  timeoutMs?: number;
}

export interface Usage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

/**
 * Why the reply ended. `interrupted`: the stream ended without the provider saying so (a dropped
 * connection); the text received so far is still the reply.
 */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter" | "interrupted" | "other";

/**
 * One event of a normalised reply stream. A stream always ends with exactly one `finish` or `error`
 * event, and never throws. `usage` carries the totals known so far: the last one wins.
 */
export type ChatEvent =
  | { type: "delta"; text: string }
  | { type: "reasoning"; text: string }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; reason: FinishReason; providerReason: string | null }
  | { type: "error"; error: ProviderError };

/** The result of a non-streaming completion. */
export interface ChatResult {
  text: string;
  usage: Usage | null;
  finishReason: FinishReason;
  providerReason: string | null;
}
