/**
 * Attachments: storing an uploaded file (row and file in one transaction, with a hit of the
 * `uploads` limit), and claiming them for a message — the caller's own, not sent before, of the same
 * chat — in the message's own transaction, so a refused message stores nothing.
 * @module
 */
import { asUser, type Claims, type Tx } from "../db/client.ts";
import { notFound, unprocessable } from "../errors/api-error.ts";
import { takeForCaller } from "../limits/service.ts";
import type { Attachment, AttachmentKind, AttachmentRef } from "./schemas.ts";
import { ATTACHMENT_URL_TTL_SECONDS, attachmentPath, signAttachment, uploadAttachment } from "./store.ts";

export interface AttachmentFile {
  bytes: Uint8Array;
  kind: AttachmentKind;
  mimeType: string;
  name: string;
}

type AttachmentRow = Omit<Attachment, "url" | "url_expires_at"> & {
  user_id: string;
  message_id: string | null;
};

/** The attachment with a fresh signed URL. */
async function withUrl(row: AttachmentRow): Promise<Attachment> {
  const { user_id, message_id: _, ...shown } = row;
  const url = await signAttachment(attachmentPath(user_id, row.id));
  const expires = url ? new Date(Date.now() + ATTACHMENT_URL_TTL_SECONDS * 1000).toISOString() : null;
  return { ...shown, url, url_expires_at: expires };
}

/** Stores the file for the caller (in `chatId`, which must be theirs: else 404); nothing is kept on failure. */
export async function createAttachment(
  claims: Claims,
  file: AttachmentFile,
  chatId: string | undefined,
): Promise<Attachment> {
  const row = await asUser(claims, async (tx) => {
    const [, chats] = await Promise.all([
      takeForCaller(tx, "uploads"),
      chatId ? tx`select 1 from public.chats where id = ${chatId} and user_id = ${claims.sub}` : [1],
    ]);
    if (chats.length === 0) throw notFound("Chat not found.");
    const [row] = await tx<AttachmentRow[]>`
      insert into public.attachments (chat_id, kind, mime_type, name, size)
      values (${chatId ?? null}, ${file.kind}, ${file.mimeType}, ${
      file.name.slice(0, 255)
    }, ${file.bytes.length})
      returning id, user_id, chat_id, message_id, kind, mime_type, name, size, created_at`;
    await uploadAttachment(attachmentPath(claims.sub, row.id), file.bytes, file.mimeType);
    return row;
  });
  return await withUrl(row);
}

const refused = (code: string, detail: string) => unprocessable(code, `attachments: ${detail}`);

/**
 * The attachments `ids` for a message of `chatId`, in the order given: each must be the caller's,
 * not sent with another message, and not meant for another chat (422 otherwise).
 */
export async function claimAttachments(tx: Tx, userId: string, chatId: string, ids: string[]) {
  if (ids.length === 0) return [];
  if (new Set(ids).size !== ids.length) throw refused("invalid_attachments", "an id is listed twice.");
  const rows = await tx<AttachmentRow[]>`
    select id, user_id, chat_id, message_id, kind, mime_type, name, size, created_at
    from public.attachments where id = any(${ids}::uuid[]) and user_id = ${userId}
    for update`;
  const byId = new Map(rows.map((row) => [row.id, row]));
  const missing = ids.filter((id) => !byId.has(id));
  if (missing.length > 0) {
    throw refused("invalid_attachments", `not found (upload them first): ${missing.join(", ")}.`);
  }
  if (rows.some((row) => row.message_id !== null)) {
    throw refused("attachment_already_sent", "each attachment goes with one message; upload it again.");
  }
  if (rows.some((row) => row.chat_id !== null && row.chat_id !== chatId)) {
    throw refused("attachment_in_other_chat", "an attachment was uploaded for another chat.");
  }
  return ids.map((id) => byId.get(id)!);
}

/** What a message's metadata keeps of each attachment. */
export const refOf = ({ id, kind, mime_type, name, size }: AttachmentRow): AttachmentRef => ({
  id,
  kind,
  mime_type,
  name,
  size,
});

/** Links the attachments to the message just stored. */
export async function linkAttachments(tx: Tx, ids: string[], chatId: string, messageId: string) {
  if (ids.length === 0) return;
  await tx`
    update public.attachments set message_id = ${messageId}, chat_id = ${chatId}
    where id = any(${ids}::uuid[])`;
}
