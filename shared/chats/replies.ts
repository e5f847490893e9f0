/**
 * Replies from the user's provider, whole or streamed. Either way the reply is stored as an
 * assistant message with its metadata (provider, model, usage, finish reason, latency) in a
 * transaction of its own, opened only once the provider has finished: no transaction waits on a
 * provider. An "Untitled chat" is named after its first reply, in the background.
 * @module
 */
import { inBackground } from "../runtime/background.ts";
import { ApiError } from "../errors/api-error.ts";
import {
  completeChat,
  estimateTokens,
  type FinishReason,
  ProviderError,
  streamChat,
  type Usage,
} from "../llm/chat/mod.ts";
import type { Reader, WithUser } from "../db/client.ts";
import { dropGeneration, finishGeneration, type GenerationStatus, ProgressWriter } from "./generation.ts";
import { GrowingText } from "./growing-text.ts";
import { costUsd } from "../usage/pricing.ts";
import { logProviderFailure, providerApiError } from "../providers/service.ts";
import type { ReplyPlan } from "./reply-plan.ts";
import { MAX_MESSAGE_CHARS, type Message } from "./schemas.ts";
import { addMessage } from "./service.ts";
import { nameChat } from "./titles.ts";

/** Token counts as stored and sent; `estimated` when the provider reported none. */
export interface ReplyUsage {
  prompt_tokens: number;
  completion_tokens: number;
  estimated?: true;
}

/** How a provider call ended, as far as the stored reply tells it. */
interface Outcome {
  text: string;
  usage: Usage | null;
  finishReason: FinishReason | "error" | "stopped";
  latencyMs: number;
  firstTokenMs?: number;
  error?: ApiError;
}

/** The events of a streamed reply, after the stored user message (`start`, sent by the route). */
export type ReplyEvent =
  | { event: "delta"; data: { text: string }; id: number }
  | { event: "reasoning"; data: { text: string } }
  | { event: "done"; data: { message: Message; usage: ReplyUsage } }
  | { event: "error"; data: { detail: string; code: string; message: Message | null } };

/** A provider failure as the API's 424, with the provider's own reason (never the key) in `detail`. */
export function providerFailure(error: ProviderError): ApiError {
  logProviderFailure(error);
  return providerApiError(error);
}

function usageOf(plan: ReplyPlan, outcome: Outcome): ReplyUsage {
  if (outcome.usage) {
    return { prompt_tokens: outcome.usage.promptTokens, completion_tokens: outcome.usage.completionTokens };
  }
  const prompt = plan.request.messages.reduce((sum, message) => sum + estimateTokens(message), 0);
  return { prompt_tokens: prompt, completion_tokens: Math.ceil(outcome.text.length / 4), estimated: true };
}

function metadataOf(plan: ReplyPlan, outcome: Outcome): Record<string, unknown> {
  const usage = usageOf(plan, outcome);
  const cost = costUsd(plan.request.model, usage.prompt_tokens, usage.completion_tokens);
  return {
    provider: plan.request.provider,
    model: plan.request.model,
    model_config_id: plan.modelConfigId,
    usage,
    ...(cost === undefined ? {} : { cost_usd: cost }),
    finish_reason: outcome.finishReason,
    latency_ms: Math.round(outcome.latencyMs),
    ...(outcome.firstTokenMs === undefined ? {} : { first_token_ms: Math.round(outcome.firstTokenMs) }),
    ...(outcome.error ? { error: { code: outcome.error.code, detail: outcome.error.detail } } : {}),
    ...(outcome.text.length > MAX_MESSAGE_CHARS ? { truncated: true } : {}),
  };
}

/** Stores the reply (cut to the database's limit); 404 if the chat was deleted meanwhile. */
function storeReply(withUser: WithUser, plan: ReplyPlan, outcome: Outcome): Promise<Message> {
  const input = {
    role: "assistant" as const,
    content: outcome.text.slice(0, MAX_MESSAGE_CHARS),
    metadata: metadataOf(plan, outcome),
    stream: false,
  };
  return withUser((tx) => addMessage(tx, plan.userId, plan.chatId, input, { parentId: plan.parentId }));
}

/** Names an "Untitled chat" after its first reply, without the caller waiting for it. */
function nameInBackground(withUser: WithUser, plan: ReplyPlan, reply: string): void {
  if (plan.titleFrom === null) return;
  inBackground(nameChat(withUser, plan, plan.titleFrom, reply), "chat title");
}

/**
 * One whole reply, stored and returned.
 * @throws {ApiError} 424 when the provider fails (the user message stays stored).
 */
export async function replyNow(withUser: WithUser, plan: ReplyPlan): Promise<Message> {
  const started = performance.now();
  let result;
  try {
    result = await completeChat(plan.request);
  } catch (error) {
    throw error instanceof ProviderError ? providerFailure(error) : error;
  }
  const outcome = { ...result, latencyMs: performance.now() - started };
  const message = await storeReply(withUser, plan, outcome);
  nameInBackground(withUser, plan, result.text);
  return message;
}

/** Why the reply could not be stored, as an `error` event's fields. */
function storeFailure(error: unknown): { detail: string; code: string } {
  if (error instanceof ApiError) return { detail: String(error.detail), code: error.code };
  console.error(JSON.stringify({
    level: "error",
    msg: "reply not stored",
    error: error instanceof Error ? error.name : typeof error,
    message: error instanceof Error ? error.message : String(error),
  }));
  return { detail: "The reply could not be stored. Try again later.", code: "reply_not_stored" };
}

/** The database access of a streamed reply: transactions, and single statements (one round trip each). */
export interface ReplySession {
  withUser: WithUser;
  read: Reader;
}

const STATUS: Record<Outcome["finishReason"], GenerationStatus> = {
  stop: "complete",
  length: "complete",
  tool_calls: "complete",
  content_filter: "complete",
  interrupted: "complete",
  other: "complete",
  stopped: "stopped",
  error: "error",
};

/**
 * The stream's last event, once the generation's message holds the final text: `done` (completed or
 * stopped), or `error` with the partial text stored (a generation that produced nothing is removed).
 */
async function endStream(
  session: ReplySession,
  plan: ReplyPlan,
  messageId: string,
  outcome: Outcome,
): Promise<ReplyEvent> {
  const failed = outcome.error;
  try {
    if (failed && outcome.text === "") {
      await session.withUser((tx) => dropGeneration(tx, messageId));
      return { event: "error", data: { detail: String(failed.detail), code: failed.code, message: null } };
    }
    const metadata = { status: STATUS[outcome.finishReason], ...metadataOf(plan, outcome) };
    const content = outcome.text.slice(0, MAX_MESSAGE_CHARS);
    const message = await session.withUser((tx) => finishGeneration(tx, messageId, content, metadata));
    if (!message) {
      throw new ApiError(404, "chat_not_found", "The chat was deleted while the reply was written.");
    }
    if (failed) {
      return { event: "error", data: { detail: String(failed.detail), code: failed.code, message } };
    }
    nameInBackground(session.withUser, plan, outcome.text);
    return { event: "done", data: { message, usage: usageOf(plan, outcome) } };
  } catch (error) {
    return { event: "error", data: { ...storeFailure(error), message: null } };
  }
}

/**
 * Streams a reply to `emit` (text `delta`s, each with the text's length so far as its id, and
 * `reasoning` as they come, then `done` or `error`) into the generation's message `messageId`: its
 * text is written as it grows and a stop asked for by another request ends the provider call. A
 * promise `emit` returns is awaited before the provider is read further (the client's pace); the
 * reply is generated and stored whatever `emit` does: a client that hangs up loses nothing.
 */
export async function streamReply(
  session: ReplySession,
  plan: ReplyPlan,
  messageId: string,
  emit: (event: ReplyEvent) => void | Promise<void>,
): Promise<void> {
  const started = performance.now();
  const stop = new AbortController();
  const progress = new ProgressWriter(session.read, messageId, () => stop.abort());
  const text = new GrowingText();
  let usage: Usage | null = null;
  let firstTokenMs: number | undefined;
  try {
    for await (const event of streamChat({ ...plan.request, signal: stop.signal })) {
      if (event.type === "delta") {
        text.append(event.text);
        firstTokenMs ??= performance.now() - started;
        progress.update(text);
        await emit({ event: "delta", data: { text: event.text }, id: text.length });
      } else if (event.type === "reasoning") {
        await emit({ event: "reasoning", data: { text: event.text } });
      } else if (event.type === "usage") {
        usage = event.usage;
      } else {
        await progress.close();
        const latencyMs = performance.now() - started;
        const ending = progress.stopped
          ? { finishReason: "stopped" as const }
          : event.type === "finish"
          ? { finishReason: event.reason }
          : { finishReason: "error" as const, error: providerFailure(event.error) };
        const outcome = { text: text.toString(), usage, latencyMs, firstTokenMs, ...ending };
        emit(await endStream(session, plan, messageId, outcome));
      }
    }
  } finally {
    await progress.close();
  }
}
