/**
 * Fetching one provider's model catalogue with a user's key: the model list (every Anthropic
 * cursor page), parsed into catalogue entries, all under one deadline. With `checkKey`, providers
 * whose model list is public also get a call that rejects a bad key.
 * @module
 */
import { badResponse } from "../errors.ts";
import { authHeaders, PROVIDER_SPECS, type ProviderId, providerUrl } from "../providers.ts";
import { deadline, fetchJson } from "../transport.ts";
import { anthropicNextCursor, isModelList, MODEL_LIST_PARSERS } from "./parsers/index.ts";
import type { CatalogueModel } from "./types.ts";

/** Where and how to list one provider's models. */
export interface CatalogueSource {
  provider: ProviderId;
  baseUrl: string;
  apiKey: string;
  timeoutMs: number;
}

export interface FetchOptions {
  /** Also prove the key is accepted (activation), even where the model list is public. */
  checkKey?: boolean;
}

/** Pages followed at most, so a provider that always says `has_more` cannot keep us looping. */
const MAX_ANTHROPIC_PAGES = 20;

/** GETs a path under the source's base URL with its key, under the catalogue's one deadline. */
type Get = (path: string) => Promise<unknown>;

async function modelListBody(get: Get, provider: ProviderId, path: string) {
  const body = await get(path);
  if (!isModelList(provider, body)) {
    throw badResponse(provider, "answered with something that is not a model list");
  }
  return body;
}

async function anthropicModels(get: Get) {
  const models: CatalogueModel[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_ANTHROPIC_PAGES; page++) {
    const query: string = cursor ? `&after_id=${encodeURIComponent(cursor)}` : "";
    const body = await modelListBody(get, "anthropic", `/models?limit=1000${query}`);
    models.push(...MODEL_LIST_PARSERS.anthropic(body));
    cursor = anthropicNextCursor(body);
    if (!cursor) break;
  }
  return models;
}

async function listModels(get: Get, provider: ProviderId) {
  if (provider === "anthropic") return await anthropicModels(get);
  return MODEL_LIST_PARSERS[provider](await modelListBody(get, provider, "/models"));
}

/** The provider's models, or a `ProviderError` (bad key, timeout, unreachable, bad answer). */
export async function fetchModelCatalogue(
  source: CatalogueSource,
  options: FetchOptions = {},
): Promise<CatalogueModel[]> {
  const { provider, apiKey } = source;
  // Ending (a failed key check, say) stops the other call still under way.
  const ended = new AbortController();
  const limit = deadline(source.timeoutMs, { parent: ended.signal });
  const headers = authHeaders(provider, apiKey);
  const get: Get = (path) =>
    fetchJson({ provider, apiKey, url: providerUrl(source.baseUrl, path), headers }, limit);
  const keyCheckPath = PROVIDER_SPECS[provider].keyCheckPath;
  try {
    const keyCheck = options.checkKey && keyCheckPath ? get(keyCheckPath) : Promise.resolve();
    const [, models] = await Promise.all([keyCheck, listModels(get, provider)]);
    return models;
  } finally {
    ended.abort();
    limit.clear();
  }
}
