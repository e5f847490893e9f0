/**
 * Chat completions through a user's provider: OpenAI-compatible APIs and Anthropic's Messages API,
 * streaming and not, normalised into one event stream; plus fitting a history to a context window.
 * `llm/` imports no domain.
 * @module
 */
export { completeChat, streamChat } from "./client.ts";
export { ProviderError, type ProviderErrorKind, retryAfterSeconds } from "../errors.ts";
export { estimateTokens, TOKENS_PER_IMAGE, type TrimOptions, trimToContextWindow } from "./context.ts";
export { type OpenAiQuirks, openAiQuirks } from "./openai.ts";
export type {
  ChatEvent,
  ChatImage,
  ChatMessage,
  ChatProvider,
  ChatRequest,
  ChatResult,
  ChatSettings,
  FinishReason,
  Usage,
} from "./types.ts";
