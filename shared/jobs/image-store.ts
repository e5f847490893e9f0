/**
 * Generated images in Supabase Storage: the private `job-images` bucket (created by the storage
 * migration), one folder per job under the owner's folder — `<user_id>/<job_id>/<n>.<ext>` — so the
 * owner-read policy and the orphan sweep both work from the path alone. Written and signed with the
 * service credential; an upload to the same path replaces it, so a job that runs twice (its first
 * worker died) still ends with one set of files.
 * @module
 */
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { config, serviceCredentials } from "../config/env.ts";
import { extensionOf } from "../llm/image-files.ts";

export const IMAGES_BUCKET = "job-images";
/** Storage removes at most this many paths per request. */
const REMOVE_CHUNK = 1000;

let client: SupabaseClient | undefined;

function bucket() {
  if (!client) {
    const [key] = serviceCredentials();
    if (!key) {
      throw new Error(
        "A service key (SUPABASE_SERVICE_ROLE_KEY or SUPABASE_SECRET_KEYS) is needed to reach Storage.",
      );
    }
    client = createClient(config().supabaseUrl, key, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
  }
  return client.storage.from(IMAGES_BUCKET);
}

/** Where the job's `index`-th image (from 0) is stored. */
export function imagePath(userId: string, jobId: string, index: number, contentType: string): string {
  return `${userId}/${jobId}/${index + 1}.${extensionOf(contentType)}`;
}

/** Stores (or replaces) one image. */
export async function uploadImage(path: string, bytes: Uint8Array, contentType: string): Promise<void> {
  const { error } = await bucket().upload(path, bytes, { contentType, upsert: true });
  if (error) throw new Error(`Storage refused the image upload: ${error.message}`);
}

/** Deletes the files (missing ones are ignored); returns how many Storage removed. */
export async function removeImages(paths: string[]): Promise<number> {
  let removed = 0;
  for (let start = 0; start < paths.length; start += REMOVE_CHUNK) {
    const { data, error } = await bucket().remove(paths.slice(start, start + REMOVE_CHUNK));
    if (error) throw new Error(`Storage refused to remove images: ${error.message}`);
    removed += data?.length ?? 0;
  }
  return removed;
}

/** Signed download URLs by path, valid for `expiresIn` seconds; paths that do not exist are left out. */
export async function signImages(paths: string[], expiresIn: number): Promise<Map<string, string>> {
  if (paths.length === 0) return new Map();
  const { data, error } = await bucket().createSignedUrls(paths, expiresIn);
  if (error) throw new Error(`Storage could not sign image URLs: ${error.message}`);
  return new Map(
    data.flatMap((row) => row.path && row.signedUrl ? [[row.path, row.signedUrl] as const] : []),
  );
}
