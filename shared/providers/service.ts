/**
 * Providers: a user's provider configurations, their keys (validated upstream, then kept only in
 * Vault) and their status. Other domains call providers through `getProviderConnection` (or
 * `readProviderKey`), at the moment they call the provider.
 * @module
 */
import type { Tx, WithUser } from "../db/client.ts";
import { unprocessable } from "../errors/api-error.ts";
import { deleteKey, readProviderKey, storeKey } from "./keys.ts";
import { notConfigured, supportedProvider } from "./refusals.ts";
import { displayName, PROVIDER_IDS, type ProviderId, resolveBaseUrl, timeoutMs } from "./registry.ts";
import { findRow, listRows, type ProviderRow, toConfiguration, updateRow, upsertActive } from "./rows.ts";
import type {
  ActivateProviderRequest,
  ProviderConfiguration,
  ProviderStatus,
  UpdateProviderRequest,
} from "./schemas.ts";
import { checkBaseUrl, validateKey } from "./upstream.ts";

export { readProviderKey };
export { notConfigured, supportedProvider } from "./refusals.ts";
export { browseCatalogue, type CatalogueOptions, providerCatalogue } from "./catalogue.ts";
export { findRow as findProvider, type ProviderRow } from "./rows.ts";
export { logProviderFailure, providerApiError, providerErrorCode } from "./upstream.ts";

/** What another domain needs to call a user's provider right now. */
export interface ProviderConnection {
  provider: ProviderId;
  providerId: string;
  baseUrl: string;
  /** The decrypted key: send it to the provider, never log or keep it. */
  apiKey: string;
  timeoutMs: number;
  metadata: Record<string, unknown>;
}

/**
 * The user's provider ready to be called (base URL resolved, key read from Vault), or null when
 * it is not configured, inactive, or has no key. Reads the key: call it just before the call.
 */
export async function getProviderConnection(
  tx: Tx,
  userId: string,
  provider: ProviderId,
): Promise<ProviderConnection | null> {
  // Row and key in one round trip: a key read for a row that turns out unusable is simply dropped.
  const [row, apiKey] = await Promise.all([
    findRow(tx, userId, provider),
    readProviderKey(tx, userId, provider),
  ]);
  const baseUrl = row && resolveBaseUrl(provider, row.base_url);
  if (!row?.is_active || !apiKey || !baseUrl) return null;
  return {
    provider,
    providerId: row.id,
    baseUrl,
    apiKey,
    timeoutMs: timeoutMs(row.metadata),
    metadata: row.metadata,
  };
}

export async function listProviders(tx: Tx, userId: string): Promise<ProviderConfiguration[]> {
  return (await listRows(tx, userId)).map(toConfiguration);
}

function statusMessage(row: ProviderRow | undefined): string {
  if (!row) return "Not configured. Add an API key to use this provider.";
  if (!row.is_active) return "Configured but inactive.";
  if (!row.has_api_key) return "Active, but no API key is stored. Add one to use this provider.";
  return "Configured and active.";
}

/** One status per supported provider, configured or not. */
export async function providerStatuses(tx: Tx, userId: string): Promise<ProviderStatus[]> {
  const rows = new Map((await listRows(tx, userId)).map((row) => [row.provider, row]));
  return PROVIDER_IDS.map((provider) => {
    const row = rows.get(provider);
    return {
      provider,
      display_name: displayName(provider, row?.display_name),
      configured: row !== undefined,
      is_active: row?.is_active ?? false,
      has_api_key: row?.has_api_key ?? false,
      api_key_preview: row?.api_key_preview ?? null,
      message: statusMessage(row),
    };
  });
}

async function reload(tx: Tx, userId: string, provider: ProviderId): Promise<ProviderConfiguration> {
  const row = await findRow(tx, userId, provider);
  if (!row) throw notConfigured(provider);
  return toConfiguration(row);
}

/**
 * Checks the base URL's destination (422 `url_not_allowed`) and validates the key against the
 * provider, then upserts the (user, provider) row as active and stores the key in Vault, in one
 * transaction. Activation is a full (re)configuration: base URL and metadata not sent go back to
 * their defaults.
 */
export async function activateProvider(
  withUser: WithUser,
  userId: string,
  request: ActivateProviderRequest,
): Promise<ProviderConfiguration> {
  const provider = supportedProvider(request.provider);
  const metadata = request.metadata ?? {};
  const target = {
    provider,
    baseUrl: resolveBaseUrl(provider, request.base_url)!,
    timeoutMs: timeoutMs(metadata),
  };
  await checkBaseUrl(target);
  await validateKey(target, request.api_key);
  return await withUser(async (tx) => {
    const fields = {
      display_name: request.display_name ?? null,
      base_url: request.base_url ?? null,
      metadata,
    };
    await upsertActive(tx, userId, provider, fields);
    await storeKey(tx, userId, provider, request.api_key);
    return await reload(tx, userId, provider);
  });
}

/** The key to validate after an update: a new one, or the stored one when the base URL moved. */
async function keyToValidate(
  withUser: WithUser,
  userId: string,
  row: ProviderRow,
  update: UpdateProviderRequest,
) {
  if (typeof update.api_key === "string") return update.api_key;
  const baseUrlChanged = update.base_url !== undefined && update.base_url !== row.base_url;
  if (update.api_key === null || !baseUrlChanged || !row.has_api_key) return null;
  return await withUser((tx) => readProviderKey(tx, userId, row.provider));
}

/**
 * Changes what was sent. A new key is validated, then replaces the old one in Vault; `null`
 * removes it. A new base URL is checked against the destination guard (422 `url_not_allowed`),
 * then validated with the key the row will have.
 */
export async function updateProvider(
  withUser: WithUser,
  userId: string,
  name: string,
  update: UpdateProviderRequest,
): Promise<ProviderConfiguration> {
  const provider = supportedProvider(name);
  const row = await withUser((tx) => findRow(tx, userId, provider));
  if (!row) throw notConfigured(provider);
  const baseUrl = resolveBaseUrl(provider, update.base_url === undefined ? row.base_url : update.base_url);
  if (!baseUrl) throw unprocessable("base_url_required", `base_url is required for ${provider}.`);
  const target = { provider, baseUrl, timeoutMs: timeoutMs(update.metadata ?? row.metadata) };
  if (update.base_url !== undefined) await checkBaseUrl(target);
  const key = await keyToValidate(withUser, userId, row, update);
  if (key) await validateKey(target, key);
  return await withUser(async (tx) => {
    const { api_key, ...fields } = update;
    if (!await updateRow(tx, userId, provider, { ...fields, ...(key ? { validated: true } : {}) })) {
      throw notConfigured(provider);
    }
    // Storing over an existing key rewrites its Vault secret in place: that is the rotation.
    if (typeof api_key === "string") await storeKey(tx, userId, provider, api_key);
    else if (api_key === null) await deleteKey(tx, userId, provider);
    return await reload(tx, userId, provider);
  });
}

/** Deactivates the provider; its row, key and saved models stay (PATCH `is_active` revives it). */
export async function deactivateProvider(tx: Tx, userId: string, name: string): Promise<void> {
  const provider = supportedProvider(name);
  if (!await updateRow(tx, userId, provider, { is_active: false })) {
    throw notConfigured(provider);
  }
}
