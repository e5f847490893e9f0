import type { Sql } from "../db/client.ts";

export type CheckStatus = "ok" | "error";

/** Whether the database answers within `timeoutMs`. */
export async function checkDatabase(db: Sql, timeoutMs = 2_000): Promise<CheckStatus> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error("timeout")), timeoutMs);
  });
  try {
    await Promise.race([db`select 1`.execute(), timeout]);
    return "ok";
  } catch {
    return "error";
  } finally {
    clearTimeout(timer);
  }
}
