/**
 * Generated images in Supabase Storage: the private `job-images` bucket (created by the storage
 * migration), one folder per job under the owner's folder — `<user_id>/<job_id>/<n>.<ext>` — so the
 * owner-read policy and the orphan sweep both work from the path alone. Written and signed with the
 * service credential; an upload to the same path replaces it, so a job that runs twice (its first
 * worker died) still ends with one set of files. Signed URLs are handed out on the public API URL.
 * @module
 */
import { extensionOf } from "../files/sniff.ts";
import { clientUrl, removeObjects, serviceStorage } from "../storage/service-storage.ts";

export const IMAGES_BUCKET = "job-images";

const bucket = async () => (await serviceStorage()).from(IMAGES_BUCKET);

/** Where the job's `index`-th image (from 0) is stored. */
export function imagePath(userId: string, jobId: string, index: number, contentType: string): string {
  return `${userId}/${jobId}/${index + 1}.${extensionOf(contentType)}`;
}

/** Stores (or replaces) one image. */
export async function uploadImage(path: string, bytes: Uint8Array, contentType: string): Promise<void> {
  const { error } = await (await bucket()).upload(path, bytes, { contentType, upsert: true });
  if (error) throw new Error(`Storage refused the image upload: ${error.message}`);
}

/** Deletes the files (missing ones are ignored); returns how many Storage removed. */
export function removeImages(paths: string[]): Promise<number> {
  return removeObjects(IMAGES_BUCKET, paths);
}

/**
 * Signed download URLs by path, valid for `expiresIn` seconds, on the public API URL; paths that
 * do not exist are left out.
 */
export async function signImages(paths: string[], expiresIn: number): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  const { data, error } = await (await bucket()).createSignedUrls(paths, expiresIn);
  if (error) throw new Error(`Storage could not sign image URLs: ${error.message}`);
  return new Map(
    data.flatMap((row) => row.path && row.signedUrl ? [[row.path, clientUrl(row.signedUrl)] as const] : []),
  );
}
