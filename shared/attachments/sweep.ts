/**
 * The attachments' part of the hourly storage sweep: rows never linked to a message within 24 hours
 * are deleted, then the files whose row is gone (expired, their chat or message deleted, the account
 * purged) are removed through the Storage API (SQL cannot delete Storage's files).
 * @module
 */
import { asService, type Database, database } from "../db/client.ts";
import { removeAttachmentFiles } from "./store.ts";

/** How many orphaned files one sweep removes at most (the rest wait for the next sweep). */
const SWEEP_LIMIT = 1000;

/** Expires stale attachments and removes up to `limit` orphaned files; returns how many were removed. */
export async function sweepAttachments(limit = SWEEP_LIMIT, db: Database = database()): Promise<number> {
  const rows = await asService(
    (tx) => tx<{ name: string }[]>`select private.sweep_attachments(${limit}) as name`,
    db,
  );
  return await removeAttachmentFiles(rows.map((row) => row.name));
}
