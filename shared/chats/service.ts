/**
 * Chats and their messages. Every function takes the caller's transaction (RLS applies); the
 * `user_id` filters are a second guard. A chat that is not the caller's is "not found", never
 * "forbidden". Adding a message bumps the chat's `updated_at` through the database trigger
 * `messages_continue_branch`, in the same transaction.
 * @module
 */
import type postgres from "postgres";
import { type Reader, type Tx, txReader } from "../db/client.ts";
import {
  type KeysetSpec,
  type Page,
  type PageRequest,
  readPage,
  unknownCursor,
  unknownCursorError,
} from "../db/paging.ts";
import { ApiError, notFound, unprocessable } from "../errors/api-error.ts";
import { attachmentPath } from "../attachments/store.ts";
import type {
  ChatCreate,
  ChatSummary,
  ChatUpdate,
  FeedbackUpdate,
  Message,
  MessageCreate,
} from "./schemas.ts";
import { allMessages, MESSAGES, newestSibling, oneMessage, pathMessages } from "./tree.ts";

const CHATS: KeysetSpec = {
  table: "public.chats",
  sortColumn: "updated_at",
  listOrder: "desc",
  leadingColumns: ["pinned"],
};

const chatColumns = (tx: Tx) =>
  tx`id, user_id, title, model_config_id, pinned, archived, created_at, updated_at`;

const chatNotFound = () => notFound("Chat not found.");
const modelConfigNotFound = () =>
  // 422, not 404: the id is in the body (the app re-sends a 404, token and body, to another host).
  new ApiError(422, "model_config_not_found", "model_config_id: not one of your saved models.");

/** The composite foreign key refuses a model configuration that is not the same user's. */
async function checkingModelConfig<T>(query: Promise<T>): Promise<T> {
  try {
    return await query;
  } catch (error) {
    const e = error as { code?: string; constraint_name?: string };
    if (e.code === "23503" && e.constraint_name === "chats_model_config_fkey") throw modelConfigNotFound();
    throw error;
  }
}

async function invalidCursor(tx: Tx, request: PageRequest, spec: KeysetSpec): Promise<void> {
  const side = await unknownCursor(txReader(tx), request, spec);
  if (side) throw unknownCursorError(side);
}

/** The caller's chats (the archived ones, or the others), pinned first, then most recently updated. */
export function listChats(
  read: Reader,
  userId: string,
  request: PageRequest & { archived: boolean },
): Promise<Page<ChatSummary>> {
  return readPage(read, request, CHATS, (tx, page) =>
    tx<ChatSummary[]>`
      select ${chatColumns(tx)} from public.chats
      where user_id = ${userId} and archived = ${request.archived} ${page.condition}
      order by ${page.order} limit ${page.fetch}`);
}

/** A new chat; its `initial_message` is stored in the same transaction. */
export async function createChat(tx: Tx, userId: string, input: ChatCreate): Promise<ChatSummary> {
  const chatId = crypto.randomUUID();
  // Both statements go out in one round trip; the message insert sees the chat (same transaction).
  const insertChat = tx<ChatSummary[]>`
    insert into public.chats (id, user_id, title, model_config_id)
    values (${chatId}, ${userId}, ${input.title}, ${input.model_config_id ?? null})
    returning ${chatColumns(tx)}`;
  const insertMessage = input.initial_message === undefined ? undefined : tx`
    insert into public.messages (chat_id, role, content) values (${chatId}, 'user', ${input.initial_message})`;
  const [[chat]] = await checkingModelConfig(Promise.all([insertChat, insertMessage]));
  return chat;
}

/** One of the caller's chats, else 404. */
export async function getChat(tx: Tx, userId: string, chatId: string): Promise<ChatSummary> {
  const [chat] = await tx<ChatSummary[]>`
    select ${chatColumns(tx)} from public.chats where id = ${chatId} and user_id = ${userId}`;
  if (!chat) throw chatNotFound();
  return chat;
}

/** The chat and its messages, oldest first: the active branch's, or with `allBranches` every one. */
export async function getChatWithMessages(tx: Tx, userId: string, chatId: string, allBranches = false) {
  const [chat, messages] = await Promise.all([
    getChat(tx, userId, chatId),
    (allBranches ? allMessages : pathMessages)(tx, userId, chatId),
  ]);
  return { chat, messages: messages.items };
}

/** Changes only the fields sent; `model_config_id: null` clears the chat's model. */
export async function updateChat(tx: Tx, userId: string, chatId: string, update: ChatUpdate) {
  const fields = Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined));
  const columns = Object.keys(fields);
  if (columns.length === 0) return await getChat(tx, userId, chatId);
  const [chat] = await checkingModelConfig(tx<ChatSummary[]>`
    update public.chats set ${tx(fields as Record<string, postgres.ParameterOrJSON<never>>, columns)}
    where id = ${chatId} and user_id = ${userId}
    returning ${chatColumns(tx)}`);
  if (!chat) throw chatNotFound();
  return chat;
}

/** Deletes the chat; its messages and attachments go with it (cascade); returns the attachments' files. */
export async function deleteChat(tx: Tx, userId: string, chatId: string): Promise<string[]> {
  // Sent together (one round trip, run in order): the attachments go with the chat by cascade.
  const [attached, deleted] = await Promise.all([
    tx<{ id: string }[]>`select id from public.attachments where chat_id = ${chatId} and user_id = ${userId}`,
    tx`delete from public.chats where id = ${chatId} and user_id = ${userId} returning id`,
  ]);
  if (deleted.length === 0) throw chatNotFound();
  return attached.map((row) => attachmentPath(userId, row.id));
}

/** Where a new message goes: under `parentId` (null: a new first message), else after the active leaf. */
export interface Placement {
  parentId?: string | null;
}

/**
 * Stores a message in one of the caller's chats (the chat's `updated_at` moves with it, and the message
 * becomes its active leaf): after the active leaf unless `placement` names its parent.
 */
export async function addMessage(
  tx: Tx,
  userId: string,
  chatId: string,
  input: MessageCreate,
  placement: Placement = {},
): Promise<Message> {
  const newRoot = placement.parentId === null;
  const parent = placement.parentId ?? null;
  const metadata = tx.json((input.metadata ?? {}) as postgres.JSONValue);
  const [, [message]] = await Promise.all([
    newRoot ? tx`select set_config('pocketllm.new_root', 'true', true)` : undefined,
    tx<Message[]>`
      with inserted as (
        insert into public.messages (chat_id, parent_id, role, content, metadata)
        select c.id, ${parent}, ${input.role}, ${input.content}, ${metadata}
        from public.chats c where c.id = ${chatId} and c.user_id = ${userId}
        returning id, chat_id, parent_id, role, content, metadata, created_at
      )
      select inserted.*, sib.sibling_index, sib.sibling_count from inserted ${newestSibling(tx, "inserted")}`,
    newRoot ? tx`select set_config('pocketllm.new_root', '', true)` : undefined,
  ]);
  if (!message) throw chatNotFound();
  return message;
}

/** A page of the chat's messages, oldest first: the active branch's, or with `allBranches` every one. */
export async function listMessages(
  tx: Tx,
  userId: string,
  chatId: string,
  request: PageRequest,
  allBranches = false,
): Promise<Page<Message>> {
  const page = await (allBranches ? allMessages : pathMessages)(tx, userId, chatId, request);
  if (page.items.length === 0) {
    await getChat(tx, userId, chatId);
    await invalidCursor(tx, request, MESSAGES);
  }
  return page;
}

/**
 * Sets (or, with a null rating and no comment, removes) the feedback on one of the chat's assistant
 * messages: 404 when the chat or message is not the caller's, 422 for another role's message.
 */
export async function setFeedback(
  tx: Tx,
  userId: string,
  chatId: string,
  messageId: string,
  input: FeedbackUpdate,
): Promise<Message> {
  const feedback = input.rating === null && !input.comment
    ? null
    : { rating: input.rating, ...(input.comment ? { comment: input.comment } : {}) };
  const [row] = await tx<(Message & { target_role: string })[]>`
    with target as (
      select m.id, m.role from public.messages m join public.chats c on c.id = m.chat_id
      where m.id = ${messageId} and m.chat_id = ${chatId} and c.user_id = ${userId}
    ), changed as (
      update public.messages m
      set metadata = case when ${feedback === null} then m.metadata - 'feedback'
        else m.metadata || jsonb_build_object('feedback', ${tx.json(feedback as postgres.JSONValue)}::jsonb
          || jsonb_build_object('updated_at', now())) end
      from target t where m.id = t.id and t.role = 'assistant'
      returning m.id, m.chat_id, m.role, m.content, m.metadata, m.created_at
    )
    select t.role as target_role, c.* from target t left join changed c on true`;
  if (!row) throw notFound("Message not found.");
  const { target_role, ...message } = row;
  if (message.id === null) {
    throw unprocessable(
      "not_an_assistant_message",
      `rating: feedback is for the assistant's messages; this one is a ${target_role} message.`,
    );
  }
  const [withPlace] = await oneMessage(tx, message.id);
  return withPlace;
}

/** What a reply needs to know about its chat. */
export interface ReplyChat {
  model_config_id: string | null;
  title: string;
  /** Whether the chat has an assistant message already (so this reply is not its first). */
  has_reply: boolean;
}

/** The chat's model, title and whether it has been answered before; undefined when not the caller's. */
export async function chatForReply(tx: Tx, userId: string, chatId: string): Promise<ReplyChat | undefined> {
  const [chat] = await tx<ReplyChat[]>`
    select c.model_config_id, c.title,
           exists (select 1 from public.messages m where m.chat_id = c.id and m.role = 'assistant') as has_reply
    from public.chats c where c.id = ${chatId} and c.user_id = ${userId}`;
  return chat;
}

/** Names the chat, unless it has been renamed meanwhile (only an `untitled` title is replaced). */
export async function setGeneratedTitle(
  tx: Tx,
  userId: string,
  chatId: string,
  untitled: string,
  title: string,
) {
  await tx`update public.chats set title = ${title}
           where id = ${chatId} and user_id = ${userId} and title = ${untitled}`;
}
