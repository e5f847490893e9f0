/**
 * Avatars: the file goes to the public bucket `user-assets` at `profiles/<user id>/avatar-<ms>.<ext>`,
 * written as the user (Storage's policies keep each user to their own folder), and `avatar_url`
 * becomes its public URL on the public API URL. The previous files of the folder are removed once the
 * new URL is committed, so a failed removal is retried by the next upload.
 * @module
 */
import type { Claims } from "../db/client.ts";
import { asUser } from "../db/client.ts";
import { takeForCaller } from "../limits/service.ts";
import { clientUrl, userStorage } from "../storage/service-storage.ts";
import type { UserProfile } from "./schemas.ts";
import { updateProfile } from "./service.ts";

export const AVATAR_BUCKET = "user-assets";
export const AVATAR_MAX_BYTES = 5 * 1024 * 1024;
/** The image types an avatar may be (by its bytes). */
export const AVATAR_TYPES = ["image/png", "image/jpeg", "image/webp", "image/heic"];

export interface AvatarFile {
  bytes: Uint8Array;
  mime: string;
  ext: string;
}

type Bucket = ReturnType<Awaited<ReturnType<typeof userStorage>>["from"]>;

const folderOf = (userId: string) => `profiles/${userId}`;

/** Removes the folder's files other than `keep`; a failure is logged (the next upload retries). */
async function removeOthers(bucket: Bucket, folder: string, keep: string): Promise<void> {
  const { data, error } = await bucket.list(folder, { limit: 100 });
  const stale = (data ?? []).map((entry) => `${folder}/${entry.name}`).filter((path) => path !== keep);
  const removed = error ? { error } : stale.length > 0 ? await bucket.remove(stale) : { error: null };
  if (removed.error) {
    console.error(JSON.stringify({
      level: "error",
      msg: "previous avatar not removed",
      error: removed.error.message,
    }));
  }
}

/**
 * Stores the avatar and points the profile at it, in the caller's transaction with the `uploads`
 * limit's hit: a refused or failed request leaves neither a changed profile nor the new file.
 */
export async function setAvatar(claims: Claims, accessToken: string, file: AvatarFile): Promise<UserProfile> {
  const bucket = (await userStorage(accessToken)).from(AVATAR_BUCKET);
  const path = `${folderOf(claims.sub)}/avatar-${Date.now()}.${file.ext}`;
  const profile = await asUser(claims, async (tx) => {
    await takeForCaller(tx, "uploads");
    const { error } = await bucket.upload(path, file.bytes, { contentType: file.mime, upsert: true });
    if (error) throw new Error(`Storage refused the avatar upload: ${error.message}`);
    try {
      const url = clientUrl(bucket.getPublicUrl(path).data.publicUrl);
      return await updateProfile(tx, claims.sub, { avatar_url: url });
    } catch (error) {
      await bucket.remove([path]);
      throw error;
    }
  });
  await removeOthers(bucket, folderOf(claims.sub), path);
  return profile;
}
