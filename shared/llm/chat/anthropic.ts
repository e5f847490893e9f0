/**
 * Anthropic's Messages API (PROVIDERS.md §1.3): named SSE events, no `[DONE]` (`message_stop` ends
 * the stream), input tokens in `message_start` and cumulative output tokens in `message_delta`,
 * `ping`s anywhere, and `event: error` after the stream has started.
 * @module
 */
import { bodyError, type ChatAdapter, type Json, parseData, type StreamDecoder } from "./adapter.ts";
import { authHeaders, PROVIDER_SPECS, providerUrl } from "../providers.ts";
import type {
  ChatEvent,
  ChatMessage,
  ChatRequest,
  ChatResult,
  ChatSettings,
  FinishReason,
  Usage,
} from "./types.ts";

/** Anthropic requires max_tokens; used when the settings have none. */
export const ANTHROPIC_DEFAULT_MAX_TOKENS = 4096;

const FINISH_REASONS: Record<string, FinishReason> = {
  end_turn: "stop",
  stop_sequence: "stop",
  max_tokens: "length",
  model_context_window_exceeded: "length",
  tool_use: "tool_calls",
  refusal: "content_filter",
};

/** HTTP statuses Anthropic uses for its error types (an `event: error` arrives after a 200). */
const ERROR_STATUSES: Record<string, number> = {
  invalid_request_error: 400,
  authentication_error: 401,
  billing_error: 402,
  permission_error: 403,
  not_found_error: 404,
  request_too_large: 413,
  rate_limit_error: 429,
  api_error: 500,
  timeout_error: 504,
  overloaded_error: 529,
};

const statusOfType = (type: string | null) => (type && ERROR_STATUSES[type]) || null;

function finishOf(providerReason: string | null): FinishReason {
  return providerReason === null ? "interrupted" : FINISH_REASONS[providerReason] ?? "other";
}

/**
 * Sampling settings Anthropic accepts: temperature is 0..1 there (ours is 0..2, so it is capped);
 * no penalties; newer models refuse temperature and top_p together, so a lowered top_p replaces
 * temperature.
 */
function settingsFields(settings: ChatSettings = {}): Record<string, number> {
  const fields: Record<string, number> = { max_tokens: settings.max_tokens ?? ANTHROPIC_DEFAULT_MAX_TOKENS };
  if (settings.top_p !== undefined && settings.top_p < 1) fields.top_p = settings.top_p;
  else if (settings.temperature !== undefined) fields.temperature = Math.min(settings.temperature, 1);
  return fields;
}

/** A message's content: its text, or with images `image` blocks (base64 sources) before a `text` block. */
function contentOf({ content, images }: ChatMessage) {
  if (!images?.length) return content;
  return [
    ...images.map((image) => ({
      type: "image",
      source: { type: "base64", media_type: image.mimeType, data: image.base64 },
    })),
    ...(content ? [{ type: "text", text: content }] : []),
  ];
}

/** System messages go to the top-level `system`; empty turns (a reply cut short) are refused, so left out. */
function messagesFields(request: ChatRequest) {
  const system = request.messages.filter((m) => m.role === "system").map((m) => m.content).join("\n\n");
  const messages = request.messages
    .filter((m) => m.role !== "system" && (m.content !== "" || m.images?.length))
    .map((message) => ({ role: message.role, content: contentOf(message) }));
  return { ...(system ? { system } : {}), messages };
}

/** Prompt tokens include cache reads and writes (Anthropic counts them apart from `input_tokens`). */
function promptTokensOf(usage: Json): number | null {
  if (typeof usage?.input_tokens !== "number") return null;
  return usage.input_tokens + (usage.cache_read_input_tokens ?? 0) + (usage.cache_creation_input_tokens ?? 0);
}

function decoder(request: ChatRequest): StreamDecoder {
  let providerReason: string | null = null;
  let done = false;
  const usage: Usage = { promptTokens: 0, completionTokens: 0, totalTokens: 0 };
  const usageEvent = (raw: Json): ChatEvent[] => {
    usage.promptTokens = promptTokensOf(raw) ?? usage.promptTokens;
    // Output tokens are cumulative in every message_delta: the latest replaces, never adds.
    if (typeof raw?.output_tokens === "number") usage.completionTokens = raw.output_tokens;
    usage.totalTokens = usage.promptTokens + usage.completionTokens;
    return [{ type: "usage", usage: { ...usage } }];
  };
  return {
    get done() {
      return done;
    },
    decode(message) {
      const data = parseData(message.data);
      if (!data) return [];
      switch (data.type ?? message.event) {
        case "message_start":
          return usageEvent(data.message?.usage);
        case "content_block_delta":
          if (data.delta?.type === "text_delta" && data.delta.text) {
            return [{ type: "delta", text: data.delta.text }];
          }
          if (data.delta?.type === "thinking_delta" && data.delta.thinking) {
            return [{ type: "reasoning", text: data.delta.thinking }];
          }
          return [];
        case "message_delta":
          if (data.delta?.stop_reason) providerReason = String(data.delta.stop_reason);
          return data.usage ? usageEvent(data.usage) : [];
        case "message_stop":
          done = true;
          return [];
        case "error":
          done = true;
          return [{ type: "error", error: bodyError(data.error, request, statusOfType) }];
        default:
          return [];
      }
    },
    end: () => ({ type: "finish", reason: finishOf(providerReason), providerReason }),
  };
}

function result(body: Json, request: ChatRequest): ChatResult {
  if (body?.type === "error" || body?.error) throw bodyError(body.error, request, statusOfType);
  const blocks: Json[] = Array.isArray(body?.content) ? body.content : [];
  const text = blocks.filter((b) => b?.type === "text").map((b) => String(b.text ?? "")).join("");
  const providerReason = body?.stop_reason ? String(body.stop_reason) : null;
  const prompt = promptTokensOf(body?.usage);
  const completion = typeof body?.usage?.output_tokens === "number" ? body.usage.output_tokens : null;
  const usage = prompt === null && completion === null ? null : {
    promptTokens: prompt ?? 0,
    completionTokens: completion ?? 0,
    totalTokens: (prompt ?? 0) + (completion ?? 0),
  };
  return {
    text,
    usage,
    finishReason: providerReason === null ? "other" : finishOf(providerReason),
    providerReason,
  };
}

/** Anthropic's native Messages API. */
export const anthropicAdapter: ChatAdapter = {
  call(request, stream) {
    return {
      provider: request.provider,
      apiKey: request.apiKey,
      url: providerUrl(request.baseUrl ?? PROVIDER_SPECS.anthropic.defaultBaseUrl!, "/messages"),
      headers: authHeaders("anthropic", request.apiKey),
      body: { model: request.model, ...messagesFields(request), stream, ...settingsFields(request.settings) },
    };
  },
  decoder,
  result,
};
