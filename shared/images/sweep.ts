/**
 * The storage sweep: images whose job row is gone (the job was deleted, or its account was purged and
 * the jobs went with it by cascade) are deleted through the Storage API. SQL cannot delete Storage's
 * files, so the purge leaves them behind; finding them from the rows that remain keeps the sweep
 * correct whatever removed the job, and idempotent when it is interrupted.
 * @module
 */
import { asService, type Database, database } from "../db/client.ts";
import { removeImages } from "./store.ts";

/** How many orphaned files one sweep removes at most (the rest wait for the next sweep). */
export const SWEEP_LIMIT = 1000;

/** Removes up to `limit` orphaned images; returns how many were removed. */
export async function sweepOrphanedImages(limit = SWEEP_LIMIT, db: Database = database()): Promise<number> {
  const rows = await asService(
    (tx) => tx<{ name: string }[]>`select private.orphaned_job_images(${limit}) as name`,
    db,
  );
  return await removeImages(rows.map((row) => row.name));
}
