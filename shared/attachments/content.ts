/**
 * Attachments as a model reads them: images as base64 (each provider's client wraps them in its own
 * wire format), text files inlined into the message with their names.
 * @module
 */
import { Buffer } from "node:buffer";
import { textOf } from "../files/sniff.ts";
import type { ChatImage } from "../llm/chat/mod.ts";
import { AttachmentRef } from "./schemas.ts";
import { attachmentPath, downloadAttachment } from "./store.ts";

export interface AttachedContent {
  /** The message's text with the text files appended. */
  content: string;
  images: ChatImage[];
}

/** A text file as the model sees it: its name, then its text, fenced. */
export const inlinedText = (name: string, text: string) =>
  `\n\n[Attached file: ${name || "untitled"}]\n\`\`\`\n${text}\n\`\`\``;

/** The file, or null when it is gone (swept, or a ref the metadata names wrongly): the reply goes on. */
async function fileOf(userId: string, ref: AttachmentRef): Promise<Uint8Array | null> {
  try {
    return await downloadAttachment(attachmentPath(userId, ref.id));
  } catch {
    return null;
  }
}

/** The message's content with its attachments, read from the caller's own folder in Storage. */
export async function attachedContent(
  userId: string,
  content: string,
  listed: unknown[],
): Promise<AttachedContent> {
  const refs = listed.flatMap((item) => {
    const ref = AttachmentRef.safeParse(item);
    return ref.success ? [ref.data] : [];
  });
  const files = await Promise.all(refs.map((ref) => fileOf(userId, ref)));
  let text = content;
  const images: ChatImage[] = [];
  refs.forEach((ref, i) => {
    if (!files[i]) return;
    if (ref.kind === "image") {
      images.push({ mimeType: ref.mime_type, base64: Buffer.from(files[i]!).toString("base64") });
    } else text += inlinedText(ref.name, textOf(files[i]!));
  });
  return { content: text, images };
}
