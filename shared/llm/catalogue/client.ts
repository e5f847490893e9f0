/**
 * Fetching one provider's model catalogue with a user's key: the model list (every Anthropic
 * cursor page), parsed into catalogue entries, all under one deadline. With `checkKey`, providers
 * whose model list is public also get a call that rejects a bad key.
 * @module
 */
import { ProviderError } from "../errors.ts";
import { type CallContext, getJson } from "../http.ts";
import { authHeaders, PROVIDER_SPECS, type ProviderId, providerUrl } from "../providers.ts";
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

async function modelListBody(context: CallContext, url: string, headers: Record<string, string>) {
  const body = await getJson(context, url, headers);
  if (!isModelList(context.provider, body)) {
    throw new ProviderError({
      provider: context.provider,
      status: null,
      kind: "bad_response",
      providerMessage: "answered with something that is not a model list",
    });
  }
  return body;
}

async function anthropicModels(context: CallContext, baseUrl: string, headers: Record<string, string>) {
  const models: CatalogueModel[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < MAX_ANTHROPIC_PAGES; page++) {
    const query: string = cursor ? `&after_id=${encodeURIComponent(cursor)}` : "";
    const body = await modelListBody(context, providerUrl(baseUrl, `/models?limit=1000${query}`), headers);
    models.push(...MODEL_LIST_PARSERS.anthropic(body));
    cursor = anthropicNextCursor(body);
    if (!cursor) break;
  }
  return models;
}

async function listModels(context: CallContext, source: CatalogueSource, headers: Record<string, string>) {
  if (source.provider === "anthropic") return await anthropicModels(context, source.baseUrl, headers);
  const body = await modelListBody(context, providerUrl(source.baseUrl, "/models"), headers);
  return MODEL_LIST_PARSERS[source.provider](body);
}

/** The provider's models, or a `ProviderError` (bad key, timeout, unreachable, bad answer). */
export async function fetchModelCatalogue(
  source: CatalogueSource,
  options: FetchOptions = {},
): Promise<CatalogueModel[]> {
  const context: CallContext = {
    provider: source.provider,
    apiKey: source.apiKey,
    signal: AbortSignal.timeout(source.timeoutMs),
    timeoutMs: source.timeoutMs,
  };
  const headers = authHeaders(source.provider, source.apiKey);
  const keyCheckPath = PROVIDER_SPECS[source.provider].keyCheckPath;
  const keyCheck = options.checkKey && keyCheckPath
    ? getJson(context, providerUrl(source.baseUrl, keyCheckPath), headers)
    : Promise.resolve();
  const [, models] = await Promise.all([keyCheck, listModels(context, source, headers)]);
  return models;
}
