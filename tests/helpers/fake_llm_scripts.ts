/**
 * Provider-shaped replies for the fake LLM server (PROVIDERS.md §1): OpenAI-style chunk streams
 * with usage where OpenAI, Groq or Mistral put it, Anthropic's named events, JSON answers, and
 * error answers with their statuses and Retry-After.
 * @module
 */
import type { FakeReply, SseStep } from "./fake_llm.ts";

/**
 * Where an OpenAI-style stream carries usage: `separate` (OpenAI with include_usage, OpenRouter:
 * one chunk with `choices: []` before `[DONE]`), `final_chunk` (Mistral: on the finish chunk),
 * `x_groq` (Groq: inside `x_groq.usage` of the last chunk), `none`.
 */
export type UsagePlacement = "separate" | "final_chunk" | "x_groq" | "none";

export interface OpenAiScript {
  chunks: string[];
  /** Default "stop"; null sends no finish reason at all. */
  finishReason?: string | null;
  usage?: UsagePlacement;
  promptTokens?: number;
  completionTokens?: number;
  /** Reasoning deltas sent before the content (DeepSeek `reasoning_content`, OpenRouter `reasoning`). */
  reasoning?: string[];
  reasoningField?: "reasoning_content" | "reasoning";
  /** SSE comment lines before the first chunk (`OPENROUTER PROCESSING`, `keep-alive`). */
  comments?: string[];
  /** Pause before each content chunk. */
  delayMs?: number;
  /** Content chunk i + 1 is sent only once `gates[i]` settles (a test's own pacing, not a clock's). */
  gates?: Promise<unknown>[];
  /** Send `data: [DONE]` at the end (default true). */
  done?: boolean;
  model?: string;
}

const chunk = (model: string, choices: unknown[], extra: Record<string, unknown> = {}) => ({
  id: "chatcmpl-fake",
  object: "chat.completion.chunk",
  created: 1730000000,
  model,
  choices,
  ...extra,
});

const usageOf = (script: OpenAiScript) => {
  const prompt = script.promptTokens ?? 9;
  const completion = script.completionTokens ?? script.chunks.length;
  return { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
};

/** An OpenAI-compatible SSE body. */
export function openAiChunks(script: OpenAiScript): SseStep[] {
  const model = script.model ?? "fake-model";
  const placement = script.usage ?? "separate";
  const usage = usageOf(script);
  const steps: SseStep[] = (script.comments ?? []).map((comment) => ({ comment }));
  const delta = (d: Record<string, unknown>) => ({
    data: chunk(model, [{ index: 0, delta: d, finish_reason: null }]),
  });
  steps.push(delta({ role: "assistant", content: "" }));
  for (const text of script.reasoning ?? []) {
    steps.push(delta({ [script.reasoningField ?? "reasoning_content"]: text }));
  }
  for (const [i, text] of script.chunks.entries()) {
    if (script.delayMs) steps.push({ delayMs: script.delayMs });
    const gate = i > 0 ? script.gates?.[i - 1] : undefined;
    if (gate) steps.push({ until: gate });
    steps.push(delta({ content: text }));
  }
  const finishReason = script.finishReason === undefined ? "stop" : script.finishReason;
  if (finishReason !== null) {
    const extra = placement === "final_chunk"
      ? { usage }
      : placement === "x_groq"
      ? { x_groq: { id: "req_fake", usage: { ...usage, queue_time: 0.01, total_time: 0.2 } } }
      : {};
    steps.push({ data: chunk(model, [{ index: 0, delta: {}, finish_reason: finishReason }], extra) });
  }
  if (placement === "separate") steps.push({ data: chunk(model, [], { usage }) });
  if (script.done ?? true) steps.push({ data: "[DONE]" });
  return steps;
}

export const openAiStream = (script: OpenAiScript): FakeReply => ({ sse: openAiChunks(script) });

/** An OpenAI-compatible non-streaming answer. */
export function openAiJson(options: { text: string; finishReason?: string; usage?: "usage" | "x_groq" }) {
  const usage = { prompt_tokens: 9, completion_tokens: 3, total_tokens: 12 };
  return {
    id: "chatcmpl-fake",
    object: "chat.completion",
    model: "fake-model",
    choices: [{
      index: 0,
      message: { role: "assistant", content: options.text },
      finish_reason: options.finishReason ?? "stop",
    }],
    ...(options.usage === "x_groq" ? { x_groq: { usage } } : { usage }),
  };
}

export interface AnthropicScript {
  chunks: string[];
  /** Default "end_turn"; null sends no message_delta at all. */
  stopReason?: string | null;
  inputTokens?: number;
  /** Cumulative output token counts, one message_delta each (default: one with chunks.length). */
  outputTokens?: number[];
  thinking?: string[];
  /** A `ping` between every two events. */
  pings?: boolean;
  delayMs?: number;
  /** Send `message_stop` at the end (default true). */
  stop?: boolean;
}

const named = (event: string, data: Record<string, unknown>): SseStep => ({
  event,
  data: { type: event, ...data },
});

/** An Anthropic Messages SSE body. */
export function anthropicEvents(script: AnthropicScript): SseStep[] {
  const body: SseStep[] = [];
  const usage = { input_tokens: script.inputTokens ?? 25, output_tokens: 1 };
  body.push(named("message_start", {
    message: { id: "msg_fake", type: "message", role: "assistant", content: [], model: "claude-fake", usage },
  }));
  body.push(named("content_block_start", { index: 0, content_block: { type: "text", text: "" } }));
  for (const thinking of script.thinking ?? []) {
    body.push(named("content_block_delta", { index: 0, delta: { type: "thinking_delta", thinking } }));
  }
  for (const text of script.chunks) {
    if (script.delayMs) body.push({ delayMs: script.delayMs });
    body.push(named("content_block_delta", { index: 0, delta: { type: "text_delta", text } }));
  }
  body.push(named("content_block_stop", { index: 0 }));
  const stopReason = script.stopReason === undefined ? "end_turn" : script.stopReason;
  if (stopReason !== null) {
    for (const output_tokens of script.outputTokens ?? [script.chunks.length]) {
      body.push(
        named("message_delta", {
          delta: { stop_reason: stopReason, stop_sequence: null },
          usage: { output_tokens },
        }),
      );
    }
  }
  if (script.stop ?? true) body.push(named("message_stop", {}));
  if (!script.pings) return body;
  return body.flatMap((step) => [step, named("ping", {})]);
}

export const anthropicStream = (script: AnthropicScript): FakeReply => ({ sse: anthropicEvents(script) });

/** An Anthropic non-streaming answer. */
export function anthropicJson(options: { text: string; stopReason?: string }) {
  return {
    id: "msg_fake",
    type: "message",
    role: "assistant",
    model: "claude-fake",
    content: [{ type: "text", text: options.text }],
    stop_reason: options.stopReason ?? "end_turn",
    usage: { input_tokens: 25, output_tokens: 3, cache_read_input_tokens: 5 },
  };
}

/** An OpenAI-style error answer (`{error: {message, type, code}}`), with Retry-After when given. */
export function openAiError(
  status: number,
  message: string,
  options: { retryAfter?: string; code?: string } = {},
) {
  return {
    status,
    json: { error: { message, type: "error", code: options.code ?? null } },
    headers: options.retryAfter ? { "retry-after": options.retryAfter } : undefined,
  } satisfies FakeReply;
}

/** An Anthropic error answer (`{type: "error", error: {type, message}}`). */
export function anthropicError(status: number, type: string, message: string, retryAfter?: string) {
  return {
    status,
    json: { type: "error", error: { type, message } },
    headers: retryAfter ? { "retry-after": retryAfter } : undefined,
  } satisfies FakeReply;
}
