/**
 * The model catalogue: every usable provider of the user fetched concurrently with its own key and
 * timeout (or taken from the cache), filtered, in the `ProviderModelsResponse` envelope. A failing
 * provider leaves the others' models in place and is named in the message and `provider_errors`.
 * @module
 */
import type { WithUser } from "../db/client.ts";
import type { CatalogueModel } from "../llm/catalogue/types.ts";
import { ProviderError } from "../llm/errors.ts";
import { ApiError, unprocessable } from "../errors/api-error.ts";
import { readProviderKeys } from "./keys.ts";
import { DISPLAY_NAMES, PROVIDER_IDS, type ProviderId, resolveBaseUrl, timeoutMs } from "./registry.ts";
import { supportedProvider } from "./refusals.ts";
import { usableRows } from "./rows.ts";
import type { CatalogueQuery, ProviderModelsResponse } from "./schemas.ts";
import {
  asApiError,
  cachedCatalogue,
  type CatalogueTarget,
  isCatalogueCached,
  logProviderFailure,
} from "./upstream.ts";

export type CatalogueOptions = Partial<CatalogueQuery>;

export const NO_PROVIDERS_MESSAGE =
  "No providers are configured for this workspace. Add a provider to browse available models.";

const order = (provider: ProviderId) => PROVIDER_IDS.indexOf(provider);

interface Outcome {
  target: CatalogueTarget;
  models?: CatalogueModel[];
  error?: ApiError;
}

async function targetsOf(withUser: WithUser, userId: string, only?: ProviderId): Promise<CatalogueTarget[]> {
  const rows = await withUser((tx) => usableRows(tx, userId, only));
  rows.sort((a, b) => order(a.provider) - order(b.provider));
  return rows.flatMap((row) => {
    const baseUrl = resolveBaseUrl(row.provider, row.base_url);
    if (!baseUrl || !row.api_key_hash) return [];
    return [{
      provider: row.provider,
      baseUrl,
      keyHash: row.api_key_hash,
      timeoutMs: timeoutMs(row.metadata),
    }];
  });
}

function failure(error: unknown): ApiError {
  if (error instanceof ProviderError) logProviderFailure(error);
  const converted = asApiError(error);
  if (converted instanceof ApiError) return converted;
  throw converted;
}

/** Fetches (or takes from the cache) every target's catalogue; keys are read only for misses. */
async function load(withUser: WithUser, userId: string, targets: CatalogueTarget[], refresh: boolean) {
  const misses = targets.filter((target) => refresh || !isCatalogueCached(target)).map((target) =>
    target.provider
  );
  const keys = misses.length > 0 ? await withUser((tx) => readProviderKeys(tx, userId, misses)) : new Map();
  const readKey = async (provider: ProviderId) => {
    const key = keys.get(provider) ??
      (await withUser((tx) => readProviderKeys(tx, userId, [provider]))).get(provider);
    if (!key) {
      throw unprocessable("missing_api_key", `No API key is stored for ${DISPLAY_NAMES[provider]}.`);
    }
    return key;
  };
  const settled = await Promise.allSettled(
    targets.map((target) => cachedCatalogue(target, () => readKey(target.provider), refresh)),
  );
  return settled.map((result, index): Outcome =>
    result.status === "fulfilled"
      ? { target: targets[index], models: result.value }
      : { target: targets[index], error: failure(result.reason) }
  );
}

const contains = (value: string | null, needle: string | undefined) =>
  !needle || (value ?? "").toLowerCase().includes(needle.toLowerCase());

function matches(model: CatalogueModel, options: CatalogueOptions): boolean {
  const searchable = [model.id, model.name, model.description, JSON.stringify(model.metadata)];
  return contains(model.name, options.name) && contains(model.id, options.model_id) &&
    (!options.query || searchable.some((value) => contains(value, options.query)));
}

function message(count: number, configured: ProviderId[], failed: Outcome[], only?: ProviderId): string {
  if (configured.length === 0) {
    return only
      ? `${DISPLAY_NAMES[only]} is not configured for this workspace. Add its API key to browse its models.`
      : NO_PROVIDERS_MESSAGE;
  }
  const found =
    `Found ${count} model${count === 1 ? "" : "s"} from ${configured.length - failed.length} of ` +
    `${configured.length} configured provider${configured.length === 1 ? "" : "s"}.`;
  if (failed.length === 0) return found;
  const reasons = failed.map(({ error }) => error!.detail).join(" ");
  return `${found} Some providers could not be loaded: ${reasons}`;
}

function envelope(outcomes: Outcome[], options: CatalogueOptions, only?: ProviderId): ProviderModelsResponse {
  const configured = outcomes.map(({ target }) => target.provider);
  const failed = outcomes.filter((outcome) => outcome.error);
  const models = outcomes.flatMap((outcome) => outcome.models ?? []).filter((model) =>
    matches(model, options)
  )
    .sort((a, b) => order(a.provider) - order(b.provider) || a.id.localeCompare(b.id));
  return {
    models,
    message: message(models.length, configured, failed, only),
    configured_providers: configured,
    missing_providers: (only ? [only] : [...PROVIDER_IDS]).filter((provider) =>
      !configured.includes(provider)
    ),
    provider_errors: failed.map(({ target, error }) => ({
      provider: target.provider,
      code: error!.code,
      detail: String(error!.detail),
    })),
    using_fallback: false,
  };
}

/** Every usable provider's models (or one provider's, with `options.provider`), partial on failure. */
export async function browseCatalogue(
  withUser: WithUser,
  userId: string,
  options: CatalogueOptions = {},
): Promise<ProviderModelsResponse> {
  const only = options.provider ? supportedProvider(options.provider) : undefined;
  const targets = await targetsOf(withUser, userId, only);
  return envelope(await load(withUser, userId, targets, options.refresh ?? false), options, only);
}

/** One provider's models; its failure is the request's (424 with the provider's reason). */
export async function providerCatalogue(
  withUser: WithUser,
  userId: string,
  name: string,
  options: CatalogueOptions = {},
): Promise<ProviderModelsResponse> {
  const only = supportedProvider(name);
  const targets = await targetsOf(withUser, userId, only);
  const outcomes = await load(withUser, userId, targets, options.refresh ?? false);
  const failed = outcomes.find((outcome) => outcome.error);
  if (failed) throw failed.error;
  return envelope(outcomes, options, only);
}
