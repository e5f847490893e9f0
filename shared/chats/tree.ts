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

const PLAIN_COLUMNS = "id, chat_id, parent_id, role, content, metadata, created_at";

/**
 * A row's place among its siblings, counted in the index on (chat_id, parent_id, created_at, id). A
 * message just inserted is not visible to its own statement: it is the newest of the siblings counted.
 */
const siblingPlace = (tx: Tx, row: string, { justInserted = false } = {}) => {
  const r = tx(row);
  const place = justInserted
    ? tx`count(*)::int as sibling_index, count(*)::int + 1 as sibling_count`
    : tx`(count(*) filter (where (s.created_at, s.id) < (${r}.created_at, ${r}.id)))::int as sibling_index,
         count(*)::int as sibling_count`;
  return tx`cross join lateral (
      select ${place}
        from public.messages s
       where s.chat_id = ${r}.chat_id
         and (s.parent_id = ${r}.parent_id or (${r}.parent_id is null and s.parent_id is null))
    ) sib`;
};

/**
 * Every message's place among its siblings in the chat, in one pass over the chat's index entries
 * (ordered by parent and time: the window needs no sort) — cheaper for a page than one count per row.
 */
const chatSiblings = (tx: Tx, chatId: string) =>
  tx`siblings as (
      select s.id, (row_number() over w - 1)::int as sibling_index,
             (count(*) over (partition by s.parent_id))::int as sibling_count
        from public.messages s where s.chat_id = ${chatId}
      window w as (partition by s.parent_id order by s.created_at, s.id)
    )`;

/**
 * The messages from the chat's first to its active leaf (the newest message when none is set), each
 * whole: the walk up the parents carries the columns, so nothing is joined back.
 */
const activePath = (tx: Tx, userId: string, chatId: string) =>
  tx`thread as (
      select ${tx.unsafe(PLAIN_COLUMNS)} from public.messages m
       where m.chat_id = ${chatId}
         and m.id = (select coalesce(c.active_leaf_id, (
                       select l.id from public.messages l where l.chat_id = c.id
                        order by l.created_at desc, l.id desc limit 1))
                       from public.chats c where c.id = ${chatId} and c.user_id = ${userId})
      union all
      select ${tx.unsafe(PLAIN_COLUMNS.split(", ").map((c) => `m.${c}`).join(", "))}
        from public.messages m join thread p on m.id = p.parent_id
       where m.chat_id = ${chatId}
    )`;

/** Every message of the chat, on every branch. */
const everyMessage = (tx: Tx, userId: string, chatId: string) =>
  tx`thread as (
      select ${tx.unsafe(PLAIN_COLUMNS)} from public.messages m
       where m.chat_id = ${chatId}
         and exists (select 1 from public.chats c where c.id = m.chat_id and c.user_id = ${userId})
    )`;

/** A page of `rows` (all of them without `request`), oldest first, with their sibling places. */
async function readMessages(
  tx: Tx,
  chatId: string,
  rows: postgres.Fragment,
  request?: PageRequest,
): Promise<Page<Message>> {
  const page = request && keyset(tx, request, MESSAGES);
  // A page is cut from the thread first; without one, the thread is read whole (one sort, not two).
  const source = page
    ? tx`(select * from thread where true ${page.condition} order by ${page.order} limit ${page.fetch})`
    : tx`thread`;
  const found = await tx<Message[]>`
    with recursive ${rows}, ${chatSiblings(tx, chatId)}
    select page.*, sib.sibling_index, sib.sibling_count from ${source} page join siblings sib using (id)
    order by ${page?.order ?? tx`created_at, id`}`;
  return request ? toPage(found, request, MESSAGES) : { items: found };
}

/** The messages on the active path (a page of them, or all), oldest first: one statement. */
export function pathMessages(tx: Tx, userId: string, chatId: string, request?: PageRequest) {
  return readMessages(tx, chatId, activePath(tx, userId, chatId), request);
}

/** Every message of the chat on every branch (a page of them, or all), oldest first (`?branches=all`). */
export function allMessages(tx: Tx, userId: string, chatId: string, request?: PageRequest) {
  return readMessages(tx, chatId, everyMessage(tx, userId, chatId), request);
}

/** The statement reading one message by id, with its sibling place (RLS hides others' messages). */
export const oneMessage = (tx: Tx, messageId: string) =>
  tx<Message[]>`
    with page as (select ${tx.unsafe(PLAIN_COLUMNS)} from public.messages m where m.id = ${messageId})
    select page.*, sib.sibling_index, sib.sibling_count from page ${siblingPlace(tx, "page")}`;

/** One message by id, with its sibling place (the caller has checked it is theirs). */
export async function messageById(tx: Tx, messageId: string): Promise<Message> {
  const [message] = await oneMessage(tx, messageId);
  return message;
}

/** The sibling place of a message just inserted (see {@link siblingPlace}). */
export const newestSibling = (tx: Tx, row: string) => siblingPlace(tx, row, { justInserted: true });

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

/** The statement reading one message of one of the caller's chats (none when it is not theirs). */
export const ownMessage = (tx: Tx, userId: string, chatId: string, messageId: string) =>
  tx<MessageNode[]>`
    select m.id, m.role, m.parent_id, m.content, m.metadata from public.messages m
     where m.id = ${messageId} and m.chat_id = ${chatId}
       and exists (select 1 from public.chats c where c.id = m.chat_id and c.user_id = ${userId})`;

/** One message of one of the caller's chats, else 404. */
export async function messageOf(
  tx: Tx,
  userId: string,
  chatId: string,
  messageId: string,
): Promise<MessageNode> {
  const [node] = await ownMessage(tx, userId, chatId, messageId);
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
