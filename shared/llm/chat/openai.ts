/**
 * OpenAI-compatible Chat Completions (OpenAI, Groq, OpenRouter, DeepSeek, Mistral and any
 * `openai_compatible` server), with the quirks of PROVIDERS.md §1.1–1.2: usage in `usage`,
 * `x_groq.usage` or on the final content chunk; OpenRouter's mid-stream `error` chunk; Mistral's
 * strict validation; DeepSeek's `reasoning_content`.
 * @module
 */
import {
  bodyError,
  type ChatAdapter,
  type Json,
  parseData,
  readUsage,
  type StreamDecoder,
} from "./adapter.ts";
import { ProviderError } from "../errors.ts";
import { authHeaders, PROVIDER_SPECS, providerUrl } from "../providers.ts";
import type {
  ChatEvent,
  ChatMessage,
  ChatProvider,
  ChatRequest,
  ChatResult,
  ChatSettings,
  FinishReason,
} from "./types.ts";

export type OpenAiProvider = Exclude<ChatProvider, "anthropic">;

/** What a provider accepts beyond `model`, `messages` and `stream`. */
export interface OpenAiQuirks {
  /** Send `stream_options.include_usage` (refused by Mistral; a no-op on OpenRouter, which always sends usage). */
  streamUsage: boolean;
  maxTokensField: "max_tokens" | "max_completion_tokens";
  /** temperature and top_p (OpenAI's reasoning models refuse them; deepseek-reasoner ignores them). */
  sampling: boolean;
  /** frequency_penalty and presence_penalty (Mistral answers 422 to them). */
  penalties: boolean;
}

const OPENAI_REASONING_MODEL = /^(o\d|gpt-5(?!-chat))/;

/** The parameters `provider` accepts for `model`. */
export function openAiQuirks(provider: OpenAiProvider, model: string): OpenAiQuirks {
  const base: OpenAiQuirks = {
    streamUsage: false,
    maxTokensField: "max_tokens",
    sampling: true,
    penalties: true,
  };
  switch (provider) {
    case "openai":
      return {
        ...base,
        streamUsage: true,
        maxTokensField: "max_completion_tokens",
        sampling: !OPENAI_REASONING_MODEL.test(model),
        penalties: !OPENAI_REASONING_MODEL.test(model),
      };
    case "groq":
      return { ...base, streamUsage: true };
    case "deepseek":
      return {
        ...base,
        streamUsage: true,
        sampling: model !== "deepseek-reasoner",
        penalties: model !== "deepseek-reasoner",
      };
    case "mistral":
      return { ...base, penalties: false };
    default:
      // OpenRouter always sends usage; unknown servers may refuse stream_options, so it is not sent.
      return base;
  }
}

/** Settings as body fields; values equal to the API defaults (top_p 1, penalties 0) are left out. */
function settingsFields(quirks: OpenAiQuirks, settings: ChatSettings = {}): Record<string, number> {
  const fields: Record<string, number> = {};
  if (settings.max_tokens !== undefined) fields[quirks.maxTokensField] = settings.max_tokens;
  if (quirks.sampling && settings.temperature !== undefined) fields.temperature = settings.temperature;
  if (quirks.sampling && settings.top_p !== undefined && settings.top_p !== 1) fields.top_p = settings.top_p;
  if (quirks.penalties && settings.frequency_penalty) fields.frequency_penalty = settings.frequency_penalty;
  if (quirks.penalties && settings.presence_penalty) fields.presence_penalty = settings.presence_penalty;
  return fields;
}

function baseUrlOf(request: ChatRequest): string {
  const url = request.baseUrl ?? PROVIDER_SPECS[request.provider].defaultBaseUrl;
  if (!url) {
    throw new ProviderError({
      provider: request.provider,
      status: null,
      kind: "bad_request",
      providerMessage: "needs a base URL",
    });
  }
  return url;
}

const FINISH_REASONS: Record<string, FinishReason> = {
  stop: "stop",
  length: "length",
  model_length: "length",
  tool_calls: "tool_calls",
  function_call: "tool_calls",
  content_filter: "content_filter",
};

function finishOf(providerReason: string | null): FinishReason {
  if (providerReason === null) return "interrupted";
  return FINISH_REASONS[providerReason] ?? "other";
}

/** Mistral and OpenRouter can end a reply with `finish_reason: "error"` and nothing else. */
function endEvent(providerReason: string | null, request: ChatRequest): ChatEvent {
  if (providerReason === "error") {
    return {
      type: "error",
      error: bodyError({ message: "The provider ended the reply with an error." }, request),
    };
  }
  return { type: "finish", reason: finishOf(providerReason), providerReason };
}

/** Usage from `usage`, else Groq's `x_groq.usage` (per chunk; the last one seen wins). */
const chunkUsage = (chunk: Json) => readUsage(chunk.usage) ?? readUsage(chunk.x_groq?.usage);

function decoder(request: ChatRequest): StreamDecoder {
  let providerReason: string | null = null;
  let done = false;
  return {
    get done() {
      return done;
    },
    decode(message) {
      if (message.data.trim() === "[DONE]") {
        done = true;
        return [];
      }
      const chunk = parseData(message.data);
      if (!chunk) return [];
      if (chunk.error) {
        done = true;
        return [{ type: "error", error: bodyError(chunk.error, request) }];
      }
      const events: ChatEvent[] = [];
      const choice = chunk.choices?.[0];
      const reasoning = choice?.delta?.reasoning_content ?? choice?.delta?.reasoning;
      if (typeof reasoning === "string" && reasoning) events.push({ type: "reasoning", text: reasoning });
      const text = choice?.delta?.content;
      if (typeof text === "string" && text) events.push({ type: "delta", text });
      if (choice?.finish_reason) providerReason = String(choice.finish_reason);
      const usage = chunkUsage(chunk);
      if (usage) events.push({ type: "usage", usage });
      return events;
    },
    end: () => endEvent(providerReason, request),
  };
}

function result(body: Json, request: ChatRequest): ChatResult {
  if (body?.error) throw bodyError(body.error, request);
  const choice = body?.choices?.[0];
  const providerReason = choice?.finish_reason ? String(choice.finish_reason) : null;
  const end = endEvent(providerReason, request);
  if (end.type === "error") throw end.error;
  const content = choice?.message?.content;
  return {
    text: typeof content === "string" ? content : "",
    usage: chunkUsage(body ?? {}),
    // A whole JSON answer is never "interrupted": a server that names no reason simply did not say.
    finishReason: providerReason === null ? "other" : finishOf(providerReason),
    providerReason,
  };
}

/** A message's content: its text, or with images the parts array (`text`, then `image_url` data URLs). */
function contentOf({ content, images }: ChatMessage) {
  if (!images?.length) return content;
  return [
    { type: "text", text: content },
    ...images.map((image) => ({
      type: "image_url",
      image_url: { url: `data:${image.mimeType};base64,${image.base64}` },
    })),
  ];
}

/** The OpenAI-compatible family. */
export const openAiAdapter: ChatAdapter = {
  call(request, stream) {
    const quirks = openAiQuirks(request.provider as OpenAiProvider, request.model);
    return {
      provider: request.provider,
      apiKey: request.apiKey,
      url: providerUrl(baseUrlOf(request), "/chat/completions"),
      headers: authHeaders(request.provider, request.apiKey),
      body: {
        model: request.model,
        // Only role and content: nothing else a history row carries (e.g. DeepSeek's reasoning_content) is sent back.
        messages: request.messages.map((message) => ({ role: message.role, content: contentOf(message) })),
        stream,
        ...(stream && quirks.streamUsage ? { stream_options: { include_usage: true } } : {}),
        ...settingsFields(quirks, request.settings),
      },
    };
  },
  decoder,
  result,
};
