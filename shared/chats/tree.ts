/**
 * Conversations as trees (API.md "Conversations as trees"): a chat shows the path from its first
 * message to its active leaf (migration *_message_trees.sql); each message says where it stands among
 * its siblings (same parent, oldest first), for the app's "‹ 2/3 ›". Every function takes the caller's
 * transaction (RLS applies); the `user_id` filters are a second guard.
 * @module
 */
import type postgres from "postgres";
import type { Tx } from "../db/client.ts";
import { keyset, type KeysetSpec, type Page, type PageRequest, toPage } from "../db/paging.ts";
import { notFound, unprocessable } from "../errors/api-error.ts";
import type { AttachmentRef } from "../attachments/schemas.ts";
import type { Message, MessageRole } from "./schemas.ts";

export const MESSAGES: KeysetSpec = { table: "public.messages", sortColumn: "created_at", listOrder: "asc" };

/** A message's place among its siblings, counted in the index on (chat_id, parent_id, created_at, id). */
const siblings = (tx: Tx, row: string) =>
  tx`cross join lateral (
      select (count(*) filter (where (s.created_at, s.id) < (${tx(row)}.created_at, ${tx(row)}.id)))::int
               as sibling_index,
             count(*)::int as sibling_count
        from public.messages s
       where s.chat_id = ${tx(row)}.chat_id
         and (s.parent_id = ${tx(row)}.parent_id or (${tx(row)}.parent_id is null and s.parent_id is null))
    ) sib`;

const PLAIN_COLUMNS = "id, chat_id, parent_id, role, content, metadata, created_at";

/** The messages from the chat's first to its active leaf (the newest message when none is set). */
const activePath = (tx: Tx, userId: string, chatId: string) =>
  tx`path (node, up) as (
      select m.id, m.parent_id from public.messages m
       where m.chat_id = ${chatId}
         and m.id = (select coalesce(c.active_leaf_id, (
                       select l.id from public.messages l where l.chat_id = c.id
                        order by l.created_at desc, l.id desc limit 1))
                       from public.chats c where c.id = ${chatId} and c.user_id = ${userId})
      union all
      select m.id, m.parent_id from public.messages m join path p on m.id = p.up
       where m.chat_id = ${chatId}
    )`;

/**
 * A page of messages (all of them without `request`), oldest first, with their sibling places: `from`
 * is the statement's `from ... where ...` naming the rows (as `m`), after the `with` list `prefix` opens.
 */
async function readMessages(
  tx: Tx,
  prefix: postgres.Fragment,
  from: postgres.Fragment,
  request?: PageRequest,
): Promise<Page<Message>> {
  const page = request && keyset(tx, request, MESSAGES);
  const order = page?.order ?? tx`created_at, id`;
  const rows = await tx<Message[]>`
    ${prefix} page as (
      select ${tx.unsafe(PLAIN_COLUMNS)} ${from} ${page?.condition ?? tx``}
       order by ${order} ${page ? tx`limit ${page.fetch}` : tx``}
    )
    select page.*, sib.sibling_index, sib.sibling_count from page ${siblings(tx, "page")}
    order by ${order}`;
  return request ? toPage(rows, request, MESSAGES) : { items: rows };
}

/** The messages on the active path (a page of them, or all), oldest first: one statement. */
export function pathMessages(tx: Tx, userId: string, chatId: string, request?: PageRequest) {
  const from = tx`from path join public.messages m on m.id = path.node where true`;
  return readMessages(tx, tx`with recursive ${activePath(tx, userId, chatId)},`, from, request);
}

/** Every message of the chat on every branch (a page of them, or all), oldest first (`?branches=all`). */
export function allMessages(tx: Tx, userId: string, chatId: string, request?: PageRequest) {
  const from = tx`from public.messages m where m.chat_id = ${chatId}
    and exists (select 1 from public.chats c where c.id = m.chat_id and c.user_id = ${userId})`;
  return readMessages(tx, tx`with`, from, request);
}

/** The statement reading one message by id, with its sibling place (RLS hides others' messages). */
export const oneMessage = (tx: Tx, messageId: string) =>
  tx<Message[]>`
    with page as (select ${tx.unsafe(PLAIN_COLUMNS)} from public.messages m where m.id = ${messageId})
    select page.*, sib.sibling_index, sib.sibling_count from page ${siblings(tx, "page")}`;

/** One message by id, with its sibling place (the caller has checked it is theirs). */
export async function messageById(tx: Tx, messageId: string): Promise<Message> {
  const [message] = await oneMessage(tx, messageId);
  return message;
}

/** The sibling place of a message just inserted (newest of its siblings: the insert is not visible yet). */
export const newestSibling = (tx: Tx, row: string) =>
  tx`cross join lateral (
      select count(*)::int as sibling_index, count(*)::int + 1 as sibling_count
        from public.messages s
       where s.chat_id = ${tx(row)}.chat_id
         and (s.parent_id = ${tx(row)}.parent_id or (${tx(row)}.parent_id is null and s.parent_id is null))
    ) sib`;

export interface HistoryMessage {
  role: MessageRole;
  content: string;
  /** What the message's metadata lists of its attachments. */
  attachments: AttachmentRef[] | null;
}

/**
 * The path ending at `messageId`, oldest first: as many messages as fit in `maxChars` characters,
 * plus the one that crosses it (so the caller's finer trimming has the whole budget to work with).
 */
export async function historyUpTo(
  tx: Tx,
  chatId: string,
  messageId: string,
  maxChars: number,
): Promise<HistoryMessage[]> {
  return await tx<HistoryMessage[]>`
    with recursive up as (
      select m.id, m.parent_id, m.role, m.content, m.metadata, m.created_at, 0::bigint as newer_chars
        from public.messages m where m.id = ${messageId} and m.chat_id = ${chatId}
      union all
      select m.id, m.parent_id, m.role, m.content, m.metadata, m.created_at,
             up.newer_chars + char_length(up.content)
        from public.messages m join up on m.id = up.parent_id
       where up.newer_chars + char_length(up.content) < ${maxChars}
    )
    select role, content,
           case when jsonb_typeof(metadata -> 'attachments') = 'array' then metadata -> 'attachments' end
             as attachments
      from up order by created_at, id`;
}

export interface MessageNode {
  id: string;
  role: MessageRole;
  parent_id: string | null;
  content: string;
  metadata: Record<string, unknown>;
}

/** One message of one of the caller's chats, else 404. */
export async function messageOf(
  tx: Tx,
  userId: string,
  chatId: string,
  messageId: string,
): Promise<MessageNode> {
  const [node] = await tx<MessageNode[]>`
    select m.id, m.role, m.parent_id, m.content, m.metadata from public.messages m
     where m.id = ${messageId} and m.chat_id = ${chatId}
       and exists (select 1 from public.chats c where c.id = m.chat_id and c.user_id = ${userId})`;
  if (!node) throw notFound("Message not found.");
  return node;
}

/**
 * Makes the newest leaf under `messageId` the chat's active leaf (switching branches). The chat is
 * known to be the caller's; a message not of it is a 422 (the id came in the body).
 */
export async function switchBranch(tx: Tx, userId: string, chatId: string, messageId: string): Promise<void> {
  const [switched] = await tx`
    with recursive below as (
      select m.id, m.created_at from public.messages m
       where m.id = ${messageId} and m.chat_id = ${chatId}
      union all
      select m.id, m.created_at from public.messages m join below b on m.parent_id = b.id
       where m.chat_id = ${chatId}
    ),
    leaf as (
      select b.id from below b
       where not exists (select 1 from public.messages c where c.chat_id = ${chatId} and c.parent_id = b.id)
       order by b.created_at desc, b.id desc limit 1
    )
    update public.chats c set active_leaf_id = leaf.id
      from leaf where c.id = ${chatId} and c.user_id = ${userId}
    returning c.id`;
  if (!switched) throw unprocessable("message_not_found", "message_id: not a message of this chat.");
}
