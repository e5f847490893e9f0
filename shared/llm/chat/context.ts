/**
 * Fitting a history into a model's context window: system messages always stay, the oldest turns
 * go first, and room is kept for the reply.
 * @module
 */
import type { ChatMessage } from "./types.ts";

/** Characters per token in the estimate: about 4 for English text with OpenAI/Anthropic tokenizers. */
export const CHARS_PER_TOKEN = 4;
/** Per-message framing (role markers, separators) that every chat format adds. */
export const TOKENS_PER_MESSAGE = 4;

/**
 * What one image costs at most, in tokens, without reading its size: Anthropic counts
 * width × height / 750 and scales images down to about 1.15 megapixels (≈ 1,600 tokens); OpenAI's
 * high detail is 85 + 170 per 512-px tile of the image scaled into 2048 × 768 (at most 8 tiles:
 * 1,445 tokens).
 */
export const TOKENS_PER_IMAGE = 1600;

/**
 * A rough token count: `ceil(chars / 4) + 4` per message, plus {@link TOKENS_PER_IMAGE} per image. It
 * over-counts code and under-counts some non-Latin scripts; it is meant for a budget with headroom,
 * not for billing.
 */
export function estimateTokens(message: ChatMessage): number {
  const images = (message.images?.length ?? 0) * TOKENS_PER_IMAGE;
  return Math.ceil(message.content.length / CHARS_PER_TOKEN) + TOKENS_PER_MESSAGE + images;
}

export interface TrimOptions {
  /** The model's context window, in tokens. */
  contextWindow: number;
  /** Tokens kept free for the reply (usually the model's `max_tokens`). */
  reserveTokens?: number;
  estimate?: (message: ChatMessage) => number;
}

/**
 * The newest messages that fit in `contextWindow - reserveTokens`, in their original order, with
 * every system message kept. The newest non-system message is always kept, even alone over budget
 * (the provider then says so). When turns were dropped, a leading assistant message is dropped too,
 * so the kept history starts with the user's turn.
 */
export function trimToContextWindow(messages: readonly ChatMessage[], options: TrimOptions): ChatMessage[] {
  const estimate = options.estimate ?? estimateTokens;
  const system = messages.filter((m) => m.role === "system");
  let budget = options.contextWindow - (options.reserveTokens ?? 0) -
    system.reduce((sum, m) => sum + estimate(m), 0);
  const kept = new Set<ChatMessage>(system);
  const turns = messages.filter((m) => m.role !== "system");
  let index = turns.length - 1;
  for (; index >= 0; index--) {
    const cost = estimate(turns[index]);
    if (cost > budget && index < turns.length - 1) break;
    budget -= cost;
    kept.add(turns[index]);
  }
  const firstKept = turns[index + 1];
  if (index >= 0 && firstKept?.role === "assistant" && index + 1 < turns.length - 1) kept.delete(firstKept);
  return messages.filter((m) => kept.has(m));
}
