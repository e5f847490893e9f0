/**
 * Talking to providers for this domain: key validation, the catalogue cache (per provider, base
 * URL and key hash, for `MODEL_CATALOGUE_TTL_SECONDS`), and provider failures as API errors.
 * @module
 */
import { TtlCache } from "../llm/catalogue/cache.ts";
import { fetchModelCatalogue } from "../llm/catalogue/client.ts";
import type { CatalogueModel } from "../llm/catalogue/types.ts";
import { ProviderError } from "../llm/errors.ts";
import { config } from "../config/env.ts";
import { ApiError } from "../http/errors.ts";
import { DISPLAY_NAMES, type ProviderId } from "./registry.ts";

/** A configured provider, ready to be called once its key is read. */
export interface CatalogueTarget {
  provider: ProviderId;
  baseUrl: string;
  /** SHA-256 hex of the key (the row's `api_key_hash`): the cache tells keys apart by it. */
  keyHash: string;
  timeoutMs: number;
}

const ttlMs = () => config().catalogueTtlSeconds * 1000;

const catalogues = new TtlCache<CatalogueModel[]>(ttlMs);

const cacheKey = (target: CatalogueTarget) => `${target.provider}\n${target.baseUrl}\n${target.keyHash}`;

/** SHA-256 hex, as the database computes `api_key_hash`. */
export async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

const API_ERRORS: Record<ProviderError["kind"], [400 | 502 | 504, string]> = {
  auth: [400, "provider_rejected_key"],
  payment: [502, "provider_payment_required"],
  rate_limit: [502, "provider_rate_limited"],
  bad_request: [502, "provider_error"],
  server: [502, "provider_error"],
  timeout: [504, "provider_timeout"],
  network: [502, "provider_unreachable"],
  aborted: [502, "provider_error"],
  bad_response: [502, "provider_bad_response"],
};

/** The machine code of a provider failure in API errors (`provider_timeout`, ...). */
export function providerErrorCode(error: ProviderError): string {
  return API_ERRORS[error.kind][1];
}

/** A provider failure as the API error a client sees (bad key 400, timeout 504, else 502). */
export function providerApiError(error: ProviderError): ApiError {
  const [status, code] = API_ERRORS[error.kind];
  const name = DISPLAY_NAMES[error.provider];
  const detail = error.kind === "auth"
    ? `${name} rejected the API key: ${error.reason}`
    : `${name} ${error.reason}.`;
  return new ApiError(status, code, detail);
}

/** Unexpected errors pass through; provider failures become API errors. */
export function asApiError(error: unknown): unknown {
  return error instanceof ProviderError ? providerApiError(error) : error;
}

/** One structured line per failed provider call: provider and kind only (never a key or URL). */
export function logProviderFailure(error: ProviderError): void {
  console.warn(JSON.stringify({
    level: "warn",
    msg: "provider call failed",
    provider: error.provider,
    kind: error.kind,
    status: error.status,
  }));
}

/**
 * Proves `apiKey` works by listing the provider's models (and, where that list is public, by a
 * call that checks the key). The list it got is kept in the catalogue cache. Throws an ApiError.
 */
export async function validateKey(target: Omit<CatalogueTarget, "keyHash">, apiKey: string) {
  try {
    const models = await fetchModelCatalogue({ ...target, apiKey }, { checkKey: true });
    catalogues.set(cacheKey({ ...target, keyHash: await sha256Hex(apiKey) }), models);
    return models;
  } catch (error) {
    if (error instanceof ProviderError) logProviderFailure(error);
    throw asApiError(error);
  }
}

/**
 * The target's catalogue from the cache, else fetched with the key `readKey` gives (called only
 * on a miss). `refresh` fetches even when cached. Throws a ProviderError.
 */
export function cachedCatalogue(
  target: CatalogueTarget,
  readKey: () => Promise<string>,
  refresh = false,
): Promise<CatalogueModel[]> {
  const load = async () => await fetchModelCatalogue({ ...target, apiKey: await readKey() });
  return refresh ? catalogues.refresh(cacheKey(target), load) : catalogues.get(cacheKey(target), load);
}

/** Whether the target's catalogue is cached (so its key need not be read). */
export function isCatalogueCached(target: CatalogueTarget): boolean {
  return catalogues.has(cacheKey(target));
}
