/**
 * Talking to providers for this domain: key validation, the catalogue cache (per provider, base
 * URL and key hash, for `MODEL_CATALOGUE_TTL_SECONDS`), base URLs checked against the destination
 * guard before they are stored, and provider failures as API errors (a refused destination is
 * 422 `url_not_allowed`: the caller's input, never sent).
 * @module
 */
import { TtlCache } from "../llm/catalogue/cache.ts";
import { fetchModelCatalogue } from "../llm/catalogue/client.ts";
import type { CatalogueModel } from "../llm/catalogue/types.ts";
import { ProviderError } from "../llm/errors.ts";
import { providerUrl } from "../llm/providers.ts";
import { checkDestination, deadline } from "../llm/transport.ts";
import { config } from "../config/env.ts";
import { ApiError } from "../errors/api-error.ts";
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

const CODES: Record<ProviderError["kind"], string> = {
  auth: "provider_rejected_key",
  payment: "provider_payment_required",
  rate_limit: "provider_rate_limited",
  bad_request: "provider_error",
  server: "provider_error",
  timeout: "provider_timeout",
  network: "provider_unreachable",
  aborted: "provider_error",
  bad_response: "provider_bad_response",
  refused: "url_not_allowed",
};

/** The machine code of a provider failure in API errors (`provider_timeout`, ...). */
export function providerErrorCode(error: ProviderError): string {
  return CODES[error.kind];
}

/** What went wrong, after the provider's name: "OpenAI answered 429: Slow down." */
function providerDetail(error: ProviderError): string {
  const name = DISPLAY_NAMES[error.provider];
  if (error.kind === "auth") return `${name} rejected the API key: ${error.reason}`;
  return `${name} ${error.reason.endsWith(".") ? error.reason : `${error.reason}.`}`;
}

/**
 * A provider failure as the API error a client sees: 424 Failed Dependency with the provider's
 * reason and `Retry-After` when it gave one — never a 5xx, which the app re-sends (with the user's
 * message and token) to another host. A key being checked (`validatingKey`) that the provider
 * rejects is the caller's input: 400. A destination the guard refused was never called: 422.
 */
export function providerApiError(error: ProviderError, { validatingKey = false } = {}): ApiError {
  const status = error.kind === "refused" ? 422 : validatingKey && error.kind === "auth" ? 400 : 424;
  const headers: Record<string, string> = error.retryAfter === null
    ? {}
    : { "Retry-After": String(error.retryAfter) };
  return new ApiError(status, providerErrorCode(error), providerDetail(error), headers);
}

/** Unexpected errors pass through; provider failures become API errors. */
export function asApiError(error: unknown, options: { validatingKey?: boolean } = {}): unknown {
  return error instanceof ProviderError ? providerApiError(error, options) : error;
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
 * Refuses (422 `url_not_allowed`) a base URL the destination guard would refuse, before it is
 * stored or called; names are resolved within the provider's timeout. Throws an ApiError.
 */
export async function checkBaseUrl(target: Omit<CatalogueTarget, "keyHash">): Promise<void> {
  const limit = deadline(target.timeoutMs);
  try {
    await checkDestination({ provider: target.provider, url: providerUrl(target.baseUrl, "/models") }, limit);
  } catch (error) {
    if (error instanceof ProviderError) logProviderFailure(error);
    throw asApiError(error);
  } finally {
    limit.clear();
  }
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
    throw asApiError(error, { validatingKey: true });
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
