import { type Database, database, serviceReader } from "../db/client.ts";

export type CheckStatus = "ok" | "error";

/**
 * Whether the database answers within `timeoutMs`, in one round trip on a connection of the
 * transaction pool: one that failed is replaced at once, so the check sees Postgres back as soon as
 * requests do.
 */
export async function checkDatabase(db: Database = database(), timeoutMs = 2_000): Promise<CheckStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
  });
  try {
    await Promise.race([serviceReader(db)((tx) => tx`select 1`), timeout]);
    return "ok";
  } catch {
    return "error";
  } finally {
    clearTimeout(timer);
  }
}
