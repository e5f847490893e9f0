/**
 * Regenerating an answer and editing a question (API.md "Conversations as trees"): each opens a turn
 * as a new message would, beside the old one instead of after it, so the old branch stays.
 * @module
 */
import type { Tx } from "../db/client.ts";
import { unprocessable } from "../errors/api-error.ts";
import { getDefaultModel } from "../models/service.ts";
import { openTurn, planReply, type Turn } from "./reply-plan.ts";
import type { EditRequest, RegenerateRequest } from "./schemas.ts";
import { chatForReply } from "./service.ts";
import { messageById, messageOf } from "./tree.ts";

/**
 * A new answer beside the assistant message `messageId` (same question, same history), from the
 * chat's model or the one `request` names. The turn's message is the question answered.
 */
export async function openRegeneration(
  tx: Tx,
  userId: string,
  chatId: string,
  messageId: string,
  request: RegenerateRequest,
): Promise<Turn> {
  const [node, chat, defaultModel] = await Promise.all([
    messageOf(tx, userId, chatId, messageId),
    chatForReply(tx, userId, chatId),
    getDefaultModel(tx, userId),
  ]);
  if (node.role !== "assistant") {
    throw unprocessable(
      "not_an_assistant_message",
      "message_id: only an assistant message can be regenerated.",
    );
  }
  if (!node.parent_id || !chat) {
    throw unprocessable("nothing_to_answer", "message_id: this message answers no earlier message.");
  }
  const [question, planned] = await Promise.all([
    messageById(tx, node.parent_id),
    planReply(tx, userId, chatId, chat, defaultModel, {
      messageId: node.parent_id,
      modelConfigId: request.model_config_id,
      stream: request.stream,
    }),
  ]);
  if (!planned) {
    throw unprocessable(
      "no_usable_model",
      "This chat has no usable model: choose one whose provider is active, or set a default model.",
    );
  }
  return { message: question, ...planned };
}

/** A new version of the user message `messageId` beside it (same parent), then its reply as for a new message. */
export async function openEdit(
  tx: Tx,
  userId: string,
  chatId: string,
  messageId: string,
  request: EditRequest,
): Promise<Turn> {
  const node = await messageOf(tx, userId, chatId, messageId);
  if (node.role !== "user") {
    throw unprocessable("not_a_user_message", "message_id: only a user message can be edited.");
  }
  const input = {
    role: "user" as const,
    content: request.content,
    attachments: request.attachments,
    stream: request.stream,
  };
  return await openTurn(tx, userId, chatId, input, { parentId: node.parent_id });
}
