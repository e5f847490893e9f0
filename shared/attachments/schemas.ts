import { z } from "@hono/zod-openapi";

const Timestamp = z.iso.datetime({ offset: true }).or(z.date()).openapi({
  type: "string",
  format: "date-time",
});

/** The most attachments one message may carry. */
export const MAX_ATTACHMENTS_PER_MESSAGE = 8;

export const AttachmentKind = z.enum(["image", "text"]);

export const Attachment = z.object({
  id: z.uuid(),
  chat_id: z.uuid().nullable(),
  kind: AttachmentKind,
  mime_type: z.string(),
  name: z.string(),
  size: z.number().int(),
  created_at: Timestamp,
  url: z.string().nullable().openapi({ description: "A signed download URL, valid until url_expires_at" }),
  url_expires_at: Timestamp.nullable(),
}).openapi("Attachment");

/** The form's fields beside the file. */
export const AttachmentFields = z.object({
  chat_id: z.uuid().optional().openapi({ description: "A chat of the caller's the file is meant for" }),
});

/** What a message's `metadata.attachments` lists of each. */
export const AttachmentRef = z.object({
  id: z.uuid(),
  kind: AttachmentKind,
  mime_type: z.string(),
  name: z.string(),
  size: z.number().int(),
});

export const AttachmentIds = z.array(z.uuid()).max(MAX_ATTACHMENTS_PER_MESSAGE).openapi({
  description: `Ids from POST /v1/attachments (at most ${MAX_ATTACHMENTS_PER_MESSAGE}, the caller's own, ` +
    "not yet sent with another message): images go to the model as images, text files inline with their names",
});

export type Attachment = z.infer<typeof Attachment>;
export type AttachmentRef = z.infer<typeof AttachmentRef>;
export type AttachmentKind = z.infer<typeof AttachmentKind>;
