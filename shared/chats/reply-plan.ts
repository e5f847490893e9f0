/**
 * The first step of a turn, in one transaction: store the message and, for a user message in a chat
 * with a usable model, gather everything its reply needs (model, provider key read from Vault now,
 * the history trimmed to the model's context window). The provider is called after this
 * transaction has committed, never inside it.
 * @module
 */
import type { Tx } from "../db/client.ts";
import {
  type ChatMessage,
  type ChatProvider,
  type ChatRequest,
  trimToContextWindow,
} from "../llm/chat/mod.ts";
import { ApiError, unprocessable } from "../errors/api-error.ts";
import { takeForCaller } from "../limits/service.ts";
import { getDefaultModel, getModel } from "../models/service.ts";
import type { ModelConfiguration } from "../models/schemas.ts";
import { isClientSideProvider } from "../providers/registry.ts";
import { getProviderConnection, type ProviderConnection } from "../providers/service.ts";
import { attachedContent } from "../attachments/content.ts";
import { claimAttachments, linkAttachments, refOf } from "../attachments/service.ts";
import { DEFAULT_CHAT_TITLE, type Message, type MessageCreate } from "./schemas.ts";
import { addMessage, chatForReply, type Placement, type ReplyChat } from "./service.ts";
import { type HistoryMessage, historyUpTo } from "./tree.ts";
import { dropGeneration, startGeneration } from "./generation.ts";

/** A model's context window when its metadata does not say (most current chat models have more). */
export const DEFAULT_CONTEXT_WINDOW = 32_768;
/** A chat call's longest provider silence when the provider's metadata sets no `timeout`. */
export const DEFAULT_CHAT_TIMEOUT_MS = 120_000;
/** Characters fetched per token of budget: generous, so the token estimate does the real trimming. */
const FETCH_CHARS_PER_TOKEN = 6;

/** Everything a reply needs once the user message is stored. */
export interface ReplyPlan {
  userId: string;
  chatId: string;
  /** The chat-completion request, API key included: keep it in memory only. */
  request: ChatRequest;
  modelConfigId: string;
  /** The message the reply answers: the reply is stored under it. */
  parentId: string;
  /** Set when this is the first reply of an "Untitled chat": the text its title is made from. */
  titleFrom: string | null;
}

/** The stored message, the plan for its reply when one is due, and for a streamed one its message. */
export interface Turn {
  message: Message;
  plan: ReplyPlan | null;
  /** The assistant message a streamed reply writes to (status "generating"), made with the turn. */
  generation?: Message;
}

function contextWindowOf(model: ModelConfiguration): number {
  const known = Number(model.settings.metadata?.context_window);
  return Number.isFinite(known) && known > 0 ? known : DEFAULT_CONTEXT_WINDOW;
}

function timeoutOf(connection: ProviderConnection): number {
  return connection.metadata?.timeout === undefined ? DEFAULT_CHAT_TIMEOUT_MS : connection.timeoutMs;
}

type ChatModel = ModelConfiguration & { provider: ChatProvider };

/**
 * The model a reply comes from: the chat's own, else the caller's default; null if none is usable.
 * A model the app runs on the device is a 422 (the whole turn is rolled back): the server cannot reach it.
 */
async function replyModel(tx: Tx, userId: string, chat: ReplyChat, defaultModel: ModelConfiguration | null) {
  const model = chat.model_config_id ? await chosenModel(tx, userId, chat.model_config_id) : defaultModel;
  if (!model?.is_active || model.provider === "imagerouter") return null;
  if (isClientSideProvider(model.provider)) {
    throw unprocessable(
      "client_side_provider",
      `${model.display_name ?? model.name} runs on your device (${model.provider}): ask it from the app; ` +
        "the server cannot reach it.",
    );
  }
  return model as ChatModel;
}

/** A saved model named in a body or a chat: not the caller's → 422 (the app re-sends a 404 elsewhere). */
function chosenModel(tx: Tx, userId: string, id: string): Promise<ModelConfiguration> {
  return getModel(tx, userId, id).catch((error) => {
    if (error instanceof ApiError && error.status === 404) {
      throw unprocessable("model_config_not_found", "model_config_id: not one of your saved models.");
    }
    throw error;
  });
}

/**
 * The system prompt, then the newest history that fits the window with room left for the reply
 * (attachments counted: text files by their text, images at their documented most).
 */
export function promptMessages(model: ModelConfiguration, history: ChatMessage[]): ChatMessage[] {
  const contextWindow = contextWindowOf(model);
  const system = model.settings.system_prompt?.trim();
  const messages: ChatMessage[] = system ? [{ role: "system", content: system }, ...history] : history;
  const reserveTokens = Math.min(model.settings.max_tokens, Math.floor(contextWindow / 2));
  return trimToContextWindow(messages, { contextWindow, reserveTokens });
}

/** The history as the model reads it: each message's attachments read and put in (images: user turns only). */
async function withAttachments(userId: string, history: HistoryMessage[]): Promise<ChatMessage[]> {
  return await Promise.all(history.map(async ({ role, content, attachments }) => {
    if (!attachments?.length) return { role, content };
    const attached = await attachedContent(userId, content, attachments);
    return role === "user" ? { role, ...attached } : { role, content: attached.content };
  }));
}

/**
 * Whether the model takes images: its saved `settings.vision` when set, else the catalogue's input
 * modalities or vision capability kept in its metadata; unknown is no.
 */
export function takesImages(model: ModelConfiguration): boolean {
  if (typeof model.settings.vision === "boolean") return model.settings.vision;
  const { input_modalities, capabilities } = model.settings.metadata as Record<string, unknown>;
  if (Array.isArray(input_modalities)) return input_modalities.includes("image");
  return (capabilities as { vision?: unknown } | undefined)?.vision === true;
}

/** A 422 before any provider call when images would go to a model that cannot take them. */
function assertCanSee(model: ModelConfiguration, messages: ChatMessage[]) {
  if (!messages.some((m) => m.images?.length) || takesImages(model)) return;
  throw unprocessable(
    "model_lacks_vision",
    `${model.display_name ?? model.name} cannot take images (set its settings.vision to true if it can), ` +
      "or send the message without them.",
  );
}

function chatRequest(model: ChatModel, connection: ProviderConnection): Omit<ChatRequest, "messages"> {
  const { temperature, max_tokens, top_p, frequency_penalty, presence_penalty } = model.settings;
  return {
    provider: model.provider,
    baseUrl: connection.baseUrl,
    apiKey: connection.apiKey,
    model: model.model,
    settings: { temperature, max_tokens, top_p, frequency_penalty, presence_penalty },
    timeoutMs: timeoutOf(connection),
  };
}

/** What a reply answers: the message it goes under, the model the caller chose, whether it streams. */
export interface ReplyTo {
  messageId: string;
  modelConfigId?: string;
  stream?: boolean;
}

/** A reply due: its plan, and for a streamed one the message it writes to. */
export interface PlannedReply {
  plan: ReplyPlan;
  generation?: Message;
}

/**
 * Plans the reply to `to.messageId` (with the path up to it as history), or null when the chat has
 * no usable model. A reply takes a hit of the caller's `replies` limit, sent with the provider and
 * history reads (their round trip): over the limit, the whole turn is refused (429) and nothing is stored.
 */
export async function planReply(
  tx: Tx,
  userId: string,
  chatId: string,
  chat: ReplyChat,
  defaultModel: ModelConfiguration | null,
  to: ReplyTo,
): Promise<PlannedReply | null> {
  const chosen = to.modelConfigId ? { ...chat, model_config_id: to.modelConfigId } : chat;
  const model = await replyModel(tx, userId, chosen, defaultModel);
  if (!model) return null;
  // A streamed reply's message is made in the same round trip (given up if no reply is due after all).
  const generation = to.stream
    ? startGeneration(tx, { userId, chatId, parentId: to.messageId, model })
    : Promise.resolve(undefined);
  const [, connection, history, started] = await Promise.all([
    takeForCaller(tx, "replies"),
    getProviderConnection(tx, userId, model.provider),
    historyUpTo(tx, chatId, to.messageId, contextWindowOf(model) * FETCH_CHARS_PER_TOKEN),
    generation,
  ]);
  if (!connection) {
    if (started) await dropGeneration(tx, started.id);
    return null;
  }
  const untitled = chat.title === DEFAULT_CHAT_TITLE && !chat.has_reply;
  const messages = promptMessages(model, await withAttachments(userId, history));
  assertCanSee(model, messages);
  const plan = {
    userId,
    chatId,
    request: { ...chatRequest(model, connection), messages },
    modelConfigId: model.id,
    parentId: to.messageId,
    titleFrom: untitled ? history.find((m) => m.role === "user")?.content ?? null : null,
  };
  return { plan, generation: started };
}

/**
 * Stores the message (404 for a chat that is not the caller's) with its attachments claimed and
 * linked (`metadata.attachments` is the server's list, whatever was sent), and plans its reply when
 * one is due.
 */
export async function openTurn(
  tx: Tx,
  userId: string,
  chatId: string,
  input: MessageCreate,
  placement: Placement = {},
): Promise<Turn> {
  const ids = input.attachments ?? [];
  const attached = await claimAttachments(tx, userId, chatId, ids);
  const { attachments: _, ...metadata } = input.metadata ?? {};
  const stored = attached.length > 0 ? { ...metadata, attachments: attached.map(refOf) } : metadata;
  const message = { ...input, metadata: stored };
  if (input.role !== "user") {
    return { message: await storeMessage(tx, userId, chatId, message, ids, placement), plan: null };
  }
  // One round trip: the insert, the chat's reply facts and the default model (needed when the chat has none).
  const [added, chat, defaultModel] = await Promise.all([
    storeMessage(tx, userId, chatId, message, ids, placement),
    chatForReply(tx, userId, chatId),
    getDefaultModel(tx, userId),
  ]);
  const to = { messageId: added.id, stream: input.stream };
  const planned = chat ? await planReply(tx, userId, chatId, chat, defaultModel, to) : null;
  return { message: added, plan: planned?.plan ?? null, generation: planned?.generation };
}

async function storeMessage(
  tx: Tx,
  userId: string,
  chatId: string,
  input: MessageCreate,
  ids: string[],
  placement: Placement,
) {
  const message = await addMessage(tx, userId, chatId, input, placement);
  await linkAttachments(tx, ids, chatId, message.id);
  return message;
}
