/**
 * Erasing an account now (`DELETE /v1/users/profile?immediate=true`, the app's "delete account"):
 * the Auth user goes, and with it by cascade every row and Vault secret of theirs, in one
 * transaction; then their Storage files. The tokens stop working with the Auth user.
 * @module
 */
import { asServiceFor } from "../db/client.ts";
import { removeObjects } from "../storage/service-storage.ts";

interface StoredObject {
  bucket_id: string;
  name: string;
}

/** Removes the files bucket by bucket; a failure is logged (the hourly sweep removes orphaned images). */
async function removeFiles(objects: StoredObject[]): Promise<void> {
  const byBucket = Map.groupBy(objects, (object) => object.bucket_id);
  for (const [bucket, files] of byBucket) {
    try {
      await removeObjects(bucket, files.map((file) => file.name));
    } catch (error) {
      console.error(JSON.stringify({
        level: "error",
        msg: "erased account's files not removed",
        bucket,
        files: files.length,
        error: error instanceof Error ? error.message : String(error),
      }));
    }
  }
}

/** Deletes the account now; a token of an account already gone is a 401 (asServiceFor checks it). */
export async function eraseAccount(userId: string) {
  const objects = await asServiceFor(
    userId,
    (tx) => tx<StoredObject[]>`select bucket_id, name from private.erase_account(${userId})`,
  );
  await removeFiles(objects);
  return { status: "deleted" as const, deleted_at: new Date().toISOString() };
}
