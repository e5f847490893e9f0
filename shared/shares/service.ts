/**
 * Shared conversations (API.md "Sharing a conversation"): the owner's snapshot of a chat, made,
 * replaced and revoked in the owner's transaction (RLS applies), and read by anyone holding its
 * share_id through the service role, one statement that can only find a share by that id.
 * @module
 */
import type { Reader, Tx } from "../db/client.ts";
import { notFound } from "../errors/api-error.ts";
import type { SharedChat } from "./schemas.ts";

export interface Share {
  share_id: string;
  created_at: string;
}

/**
 * Snapshots the chat (title; each message's role, content, time) as its share, replacing an earlier
 * snapshot under the same share_id; 404 when the chat is not the caller's.
 */
export async function shareChat(tx: Tx, userId: string, chatId: string): Promise<Share> {
  const [share] = await tx<Share[]>`
    insert into public.chat_shares (chat_id, user_id, title, messages)
    select c.id, c.user_id, c.title, coalesce((
      select jsonb_agg(jsonb_build_object(
        'role', m.role,
        'content', m.content,
        'created_at', to_char(m.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
      ) order by m.created_at, m.id)
      from public.messages m where m.chat_id = c.id), '[]'::jsonb)
    from public.chats c where c.id = ${chatId} and c.user_id = ${userId}
    on conflict (chat_id) do update set title = excluded.title, messages = excluded.messages
    returning share_id, updated_at as created_at`;
  if (!share) throw notFound("Chat not found.");
  return share;
}

/** Revokes the chat's share; 404 when the chat is not the caller's or is not shared. */
export async function revokeShare(tx: Tx, userId: string, chatId: string): Promise<void> {
  const deleted = await tx`
    delete from public.chat_shares where chat_id = ${chatId} and user_id = ${userId} returning chat_id`;
  if (deleted.length === 0) throw notFound("This chat is not shared.");
}

/** The snapshot a share_id names (read with the service role: the share_id is the key); else 404. */
export async function readShare(service: Reader, shareId: string): Promise<SharedChat> {
  const [share] = await service((tx) =>
    tx<SharedChat[]>`
      select share_id, title, updated_at as shared_at, messages
      from public.chat_shares where share_id = ${shareId}`
  );
  if (!share) throw notFound("No such shared conversation (it may have been revoked).");
  return share;
}
