/**
 * Provider API keys in Supabase Vault, reached only through the database's security definer
 * functions (`private.store_provider_key`, `get_provider_key`, `delete_provider_key`), which only `service_role` may execute.
 *
 * The caller's transaction runs as `authenticated` (RLS applies), so each Vault call switches the
 * transaction to `service_role` for that one statement and back (db/service-role.ts): the row upsert
 * and the key write commit or roll back together. The key is a bound parameter only; it is never logged.
 * @module
 */
import type { Tx } from "../db/client.ts";
import { withServiceRole } from "../db/service-role.ts";
import type { ProviderId } from "./registry.ts";

/** Stores the key of the user's provider row, which must exist; an existing secret is rewritten in place. */
export async function storeKey(tx: Tx, userId: string, provider: ProviderId, apiKey: string): Promise<void> {
  await withServiceRole(
    tx,
    () => tx`select private.store_provider_key(${userId}, ${provider}, ${apiKey})`.execute(),
  );
}

/** Deletes the key (the Vault secret and the row's key columns); the row stays. */
export async function deleteKey(tx: Tx, userId: string, provider: ProviderId): Promise<void> {
  await withServiceRole(tx, () => tx`select private.delete_provider_key(${userId}, ${provider})`.execute());
}

/**
 * The decrypted key of the user's provider, or null when none is stored. Call it only at the
 * moment the key is sent to the provider, and never keep or log what it returns.
 */
export async function readProviderKey(tx: Tx, userId: string, provider: ProviderId): Promise<string | null> {
  const rows = await withServiceRole(
    tx,
    () =>
      tx<{ key: string | null }[]>`select private.get_provider_key(${userId}, ${provider}) as key`.execute(),
  );
  return rows[0]?.key ?? null;
}

/** The keys of several of the user's providers in one statement (absent ones are left out). */
export async function readProviderKeys(
  tx: Tx,
  userId: string,
  providers: ProviderId[],
): Promise<Map<ProviderId, string>> {
  if (providers.length === 0) return new Map();
  const rows = await withServiceRole(
    tx,
    () =>
      tx<{ provider: ProviderId; key: string | null }[]>`
        select provider, private.get_provider_key(${userId}, provider) as key
        from unnest(${providers}::text[]) as provider`.execute(),
  );
  return new Map(rows.flatMap((row) => row.key ? [[row.provider, row.key] as const] : []));
}
