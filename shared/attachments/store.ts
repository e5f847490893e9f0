/**
 * Attachment files in the private bucket `attachments`, at `<user id>/<attachment id>` (a path the
 * row implies, so it is never stored): written, read and signed with the service credential; the
 * owner-read policy lets a user's own token read them too. Signed URLs go out on the public API URL.
 * @module
 */
import { clientUrl, removeObjects, serviceStorage } from "../storage/service-storage.ts";

export const ATTACHMENTS_BUCKET = "attachments";
/** How long an attachment's signed URL stays valid. */
export const ATTACHMENT_URL_TTL_SECONDS = 600;

const bucket = async () => (await serviceStorage()).from(ATTACHMENTS_BUCKET);

export const attachmentPath = (userId: string, id: string) => `${userId}/${id}`;

export async function uploadAttachment(path: string, bytes: Uint8Array, contentType: string): Promise<void> {
  const { error } = await (await bucket()).upload(path, bytes, { contentType, upsert: true });
  if (error) throw new Error(`Storage refused the attachment upload: ${error.message}`);
}

export async function downloadAttachment(path: string): Promise<Uint8Array> {
  const { data, error } = await (await bucket()).download(path);
  if (error || !data) throw new Error(`Storage could not read an attachment: ${error?.message}`);
  return new Uint8Array(await data.arrayBuffer());
}

/** A signed download URL on the public API URL, or null when Storage could not sign it. */
export async function signAttachment(path: string): Promise<string | null> {
  const { data, error } = await (await bucket()).createSignedUrl(path, ATTACHMENT_URL_TTL_SECONDS);
  return error || !data ? null : clientUrl(data.signedUrl);
}

export function removeAttachmentFiles(paths: string[]): Promise<number> {
  return removeObjects(ATTACHMENTS_BUCKET, paths);
}

/** Removes files now; if Storage fails, the hourly sweep removes them (their rows are gone). */
export async function discardAttachmentFiles(paths: string[]): Promise<void> {
  try {
    await removeAttachmentFiles(paths);
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", msg: "could not remove attachments", error: String(error) }),
    );
  }
}
