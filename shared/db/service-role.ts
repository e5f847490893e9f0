import type { Tx } from "./client.ts";

/**
 * Runs one statement as `service_role` inside the caller's transaction, then restores the caller's
 * role: for the security definer functions only `service_role` may execute (Vault). The caller's
 * other statements keep RLS; what the statement writes commits or rolls back with them. The four
 * statements are sent together (one round trip).
 */
export async function withServiceRole<T>(tx: Tx, statement: () => Promise<T>): Promise<T> {
  const remember = tx`select set_config('pocketllm.caller_role', current_user, true)`.execute();
  const elevate = tx`select set_config('role', 'service_role', true)`.execute();
  const result = statement();
  const restore = tx`select set_config('role', current_setting('pocketllm.caller_role'), true)`.execute();
  const [, , value] = await Promise.all([remember, elevate, result, restore]);
  return value;
}
