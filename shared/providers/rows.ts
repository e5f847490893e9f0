/**
 * The `providers` table, read and written as the caller (RLS applies; the `user_id` filters are a
 * second guard), and its rows as the API shows them.
 * @module
 */
import type postgres from "postgres";
import type { Tx } from "../db/client.ts";
import { displayName, type ProviderId, resolveBaseUrl } from "./registry.ts";
import type { ProviderConfiguration } from "./schemas.ts";

export interface ProviderRow {
  id: string;
  user_id: string;
  provider: ProviderId;
  display_name: string | null;
  base_url: string | null;
  metadata: Record<string, unknown>;
  api_key_preview: string | null;
  api_key_hash: string | null;
  is_active: boolean;
  has_api_key: boolean;
  created_at: string;
  updated_at: string;
}

const COLUMNS = `id, user_id, provider, display_name, base_url, metadata, api_key_preview, api_key_hash,
  is_active, has_api_key, created_at, updated_at`;

/** The row as the API shows it: effective name and base URL, never the key or its hash. */
export function toConfiguration(row: ProviderRow): ProviderConfiguration {
  const { api_key_hash: _hash, ...visible } = row;
  return {
    ...visible,
    display_name: displayName(row.provider, row.display_name),
    base_url: resolveBaseUrl(row.provider, row.base_url),
  };
}

export async function listRows(tx: Tx, userId: string): Promise<ProviderRow[]> {
  return await tx<ProviderRow[]>`
    select ${tx.unsafe(COLUMNS)} from public.providers where user_id = ${userId} order by provider`;
}

export async function findRow(
  tx: Tx,
  userId: string,
  provider: ProviderId,
): Promise<ProviderRow | undefined> {
  const [row] = await tx<ProviderRow[]>`
    select ${tx.unsafe(COLUMNS)} from public.providers where user_id = ${userId} and provider = ${provider}`;
  return row;
}

/** The active rows that have a key (optionally of one provider): what the catalogue lists. */
export async function usableRows(tx: Tx, userId: string, only?: ProviderId): Promise<ProviderRow[]> {
  return await tx<ProviderRow[]>`
    select ${tx.unsafe(COLUMNS)} from public.providers
    where user_id = ${userId} and is_active and has_api_key
      ${only ? tx`and provider = ${only}` : tx``}
    order by provider`;
}

export interface ActivationFields {
  display_name: string | null;
  base_url: string | null;
  metadata: Record<string, unknown>;
}

/** Inserts or reconfigures the (user, provider) row as active with a key that was just validated. */
export async function upsertActive(tx: Tx, userId: string, provider: ProviderId, fields: ActivationFields) {
  await tx`
    insert into public.providers as p
      (user_id, provider, display_name, base_url, metadata, is_active,
       validation_status, validation_error, last_validated_at)
    values (${userId}, ${provider}, ${fields.display_name}, ${fields.base_url},
            ${tx.json(fields.metadata as postgres.JSONValue)}, true, 'valid', null, now())
    on conflict (user_id, provider) do update set
      display_name = coalesce(excluded.display_name, p.display_name),
      base_url = excluded.base_url,
      metadata = excluded.metadata,
      is_active = true,
      validation_status = 'valid',
      validation_error = null,
      last_validated_at = now()`;
}

export type RowUpdate = Partial<{
  display_name: string | null;
  base_url: string | null;
  metadata: Record<string, unknown>;
  is_active: boolean;
  validated: true;
}>;

/** Changes only the fields given; `validated` records a successful key check. Says if the row exists. */
export async function updateRow(
  tx: Tx,
  userId: string,
  provider: ProviderId,
  update: RowUpdate,
): Promise<boolean> {
  const { validated, metadata, ...plain } = update;
  const fields: Record<string, postgres.ParameterOrJSON<never>> = { ...plain };
  if (metadata) fields.metadata = tx.json(metadata as postgres.JSONValue);
  if (validated) {
    Object.assign(fields, {
      validation_status: "valid",
      validation_error: null,
      last_validated_at: new Date(),
    });
  }
  const columns = Object.keys(fields);
  if (columns.length === 0) return (await findRow(tx, userId, provider)) !== undefined;
  const rows = await tx`
    update public.providers set ${tx(fields, columns)}
    where user_id = ${userId} and provider = ${provider}
    returning id`;
  return rows.length > 0;
}
