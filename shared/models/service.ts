/**
 * Saved model configurations: list, import from a provider, read, delete, and the one default
 * model per user. Functions take the caller's transaction (RLS applies; the `user_id` filters are
 * a second guard), except import, which may first consult the provider's catalogue.
 * @module
 */
import type postgres from "postgres";
import type { Reader, Tx, WithUser } from "../db/client.ts";
import { type KeysetSpec, type Page, type PageRequest, readPage } from "../db/paging.ts";
import { badRequest, notFound } from "../errors/api-error.ts";
import type { CatalogueModel } from "../llm/catalogue/types.ts";
import {
  DISPLAY_NAMES,
  isClientSideProvider,
  type ModelProvider,
  type ProviderId,
} from "../providers/registry.ts";
import { findProvider, notConfigured, providerCatalogue, supportedProvider } from "../providers/service.ts";
import type { ImportModelsRequest, ModelConfiguration, ModelSettingsInput, ModelUpdate } from "./schemas.ts";

export { browseCatalogue } from "../providers/service.ts";

const MODELS: KeysetSpec = { table: "public.model_configs", sortColumn: "created_at", listOrder: "asc" };

/** One row as the API shows it: the settings, columns so that each limit is a constraint, as one object. */
const columns = (tx: Tx) =>
  tx`id, user_id, provider_id, provider, name, model, display_name, description, is_default, is_active,
     jsonb_build_object(
       'temperature', temperature, 'max_tokens', max_tokens, 'top_p', top_p,
       'frequency_penalty', frequency_penalty, 'presence_penalty', presence_penalty,
       'system_prompt', system_prompt, 'vision', vision, 'metadata', metadata) as settings,
     created_at, updated_at`;

const modelNotFound = () => notFound("Model configuration not found.");

/** The caller's saved models, oldest first, one page at a time. */
export async function listSavedModels(
  read: Reader,
  userId: string,
  request: PageRequest,
): Promise<Page<ModelConfiguration>> {
  return await readPage(read, request, MODELS, (tx, page) =>
    tx<ModelConfiguration[]>`
      select ${columns(tx)} from public.model_configs
      where user_id = ${userId} ${page.condition}
      order by ${page.order} limit ${page.fetch}`);
}

/** One of the caller's saved models (chats read the model they run with this). */
export async function getModel(tx: Tx, userId: string, id: string): Promise<ModelConfiguration> {
  const [row] = await tx<ModelConfiguration[]>`
    select ${columns(tx)} from public.model_configs where user_id = ${userId} and id = ${id}`;
  if (!row) throw modelNotFound();
  return row;
}

/** The caller's default model, if one is set. */
export async function getDefaultModel(tx: Tx, userId: string): Promise<ModelConfiguration | null> {
  const [row] = await tx<ModelConfiguration[]>`
    select ${columns(tx)} from public.model_configs where user_id = ${userId} and is_default`;
  return row ?? null;
}

export async function deleteModel(tx: Tx, userId: string, id: string): Promise<void> {
  const rows =
    await tx`delete from public.model_configs where user_id = ${userId} and id = ${id} returning id`;
  if (rows.length === 0) throw modelNotFound();
}

/**
 * Makes the model the default (clearing the previous one) or clears its default flag, in the
 * caller's one transaction. The user's rows are locked first, so concurrent calls queue up and
 * each one's clear sees the previous one's default (the partial unique index is the backstop).
 */
export async function setDefaultModel(
  tx: Tx,
  userId: string,
  id: string,
  isDefault: boolean,
): Promise<ModelConfiguration> {
  // In one order (by id): two calls locking the same rows in scan order could deadlock (a 500).
  await tx`select id from public.model_configs where user_id = ${userId} order by id for update`;
  if (isDefault) {
    await tx`update public.model_configs set is_default = false where user_id = ${userId} and is_default and id <> ${id}`;
  }
  const [row] = await tx<ModelConfiguration[]>`
    update public.model_configs set is_default = ${isDefault}
    where user_id = ${userId} and id = ${id}
    returning ${columns(tx)}`;
  if (!row) throw modelNotFound();
  return row;
}

/** "llama-3.1-8b-instant" → "Llama 3.1 8b Instant" (the old backend's display names). */
export function displayNameOf(modelId: string): string {
  return modelId.replaceAll("-", " ").replace(
    /(^|\s)(\S)/g,
    (_, space, first) => space + first.toUpperCase(),
  );
}

interface ImportRow {
  name: string;
  display_name: string;
  description: string | null;
  metadata: Record<string, unknown>;
}

/** An import item as the app sends it: an id, or `{id | model, name?, description?, metadata?}`. */
interface RequestedModel {
  id: string;
  name?: string | null;
  description?: string | null;
  metadata?: Record<string, unknown> | null;
}

function requestedModels(items: ImportModelsRequest["models"]): RequestedModel[] {
  const byId = new Map<string, RequestedModel>();
  for (const item of items) {
    const model = typeof item === "string" ? { id: item } : { ...item, id: (item.id ?? item.model)! };
    byId.set(model.id, model);
  }
  return [...byId.values()];
}

/** The row for one model: what the app sent wins over the catalogue's facts; shared metadata first. */
function importRow(
  model: RequestedModel,
  known: CatalogueModel | undefined,
  sharedMetadata: Record<string, unknown> = {},
): ImportRow {
  const facts = {
    context_window: known?.context_window,
    max_output_tokens: known?.max_output_tokens,
    input_modalities: known?.metadata.input_modalities,
  };
  return {
    name: model.id,
    display_name: model.name ?? displayNameOf(model.id),
    description: model.description ?? known?.description?.slice(0, 2000) ?? null,
    metadata: {
      ...Object.fromEntries(Object.entries(facts).filter(([, value]) => value != null)),
      ...sharedMetadata,
      ...model.metadata,
    },
  };
}

/** The provider's live catalogue entries for `ids`; a 400 names the ids it does not list. */
async function catalogueEntries(withUser: WithUser, userId: string, provider: ProviderId, ids: string[]) {
  const catalogue = await providerCatalogue(withUser, userId, provider);
  if (catalogue.configured_providers.length === 0) {
    throw badRequest(
      `${DISPLAY_NAMES[provider]} is not active with an API key, so its catalogue cannot be checked. ` +
        "Activate it, or import with sync set to false.",
      "provider_not_usable",
    );
  }
  const known = new Map(catalogue.models.map((model) => [model.id, model]));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) {
    throw badRequest(
      `Not in ${DISPLAY_NAMES[provider]}'s catalogue: ${unknown.join(", ")}.`,
      "unknown_models",
    );
  }
  return known;
}

/** The scalar settings sent (numbers, system prompt), as columns. */
function settingColumns(settings: ModelSettingsInput | undefined): Columns {
  const { metadata: _, ...scalars } = settings ?? {};
  return Object.fromEntries(Object.entries(scalars).filter(([, value]) => value !== undefined)) as Columns;
}

type Columns = Record<string, postgres.ParameterOrJSON<never>>;

async function upsertModels(
  tx: Tx,
  userId: string,
  providerId: string | null,
  provider: ModelProvider,
  items: ImportRow[],
  settings: Columns,
) {
  const upserted = tx<ModelConfiguration[]>`
    insert into public.model_configs as m
      (user_id, provider_id, provider, name, model, display_name, description, metadata)
    select ${userId}, ${providerId}, ${provider}, item.name, item.name, item.display_name, item.description,
           item.metadata
    from jsonb_to_recordset(${tx.json(items as unknown as postgres.JSONValue)})
      as item(name text, display_name text, description text, metadata jsonb)
    on conflict (user_id, name) do update set
      provider_id = excluded.provider_id,
      provider = excluded.provider,
      model = excluded.model,
      display_name = excluded.display_name,
      description = coalesce(excluded.description, m.description),
      metadata = m.metadata || excluded.metadata,
      is_active = true
    returning ${columns(tx)}`;
  const names = items.map((item) => item.name);
  const keys = Object.keys(settings);
  // Sent together with the upsert (one round trip); it sees the rows the upsert wrote.
  const [inserted, configured] = await Promise.all([
    upserted,
    keys.length === 0 ? [] : tx<ModelConfiguration[]>`
      update public.model_configs set ${tx(settings, keys)}
      where user_id = ${userId} and name = any(${names})
      returning ${columns(tx)}`,
  ]);
  const rows = keys.length === 0 ? inserted : configured;
  const order = new Map(names.map((name, index) => [name, index]));
  return rows.sort((a, b) => order.get(a.name)! - order.get(b.name)!);
}

/** The provider row models of `provider` link to: none for the app's client-side providers. */
async function importTarget(withUser: WithUser, userId: string, name: string) {
  const lowered = name.trim().toLowerCase();
  if (isClientSideProvider(lowered)) return { provider: lowered, providerId: null };
  const provider = supportedProvider(name);
  const row = await withUser((tx) => findProvider(tx, userId, provider));
  if (!row) throw notConfigured(provider);
  return { provider, providerId: row.id };
}

/**
 * One configuration per model id, linked to the caller's provider row; an id already saved is
 * updated (its settings kept unless `settings` are sent: those apply to every model imported). With
 * `sync`, the ids must be in the provider's live catalogue (never checked for client-side providers).
 */
export async function importModels(
  withUser: WithUser,
  userId: string,
  request: ImportModelsRequest,
): Promise<ModelConfiguration[]> {
  const { provider, providerId } = await importTarget(withUser, userId, request.provider);
  const models = requestedModels(request.models);
  const known = request.sync && !isClientSideProvider(provider)
    ? await catalogueEntries(withUser, userId, provider, models.map((model) => model.id))
    : new Map<string, CatalogueModel>();
  const items = models.map((model) => importRow(model, known.get(model.id), request.settings?.metadata));
  const settings = settingColumns(request.settings);
  return await withUser((tx) => upsertModels(tx, userId, providerId, provider, items, settings));
}

/** Changes what was sent: display name, active flag, settings (metadata merged one level deep). */
export async function updateModel(
  tx: Tx,
  userId: string,
  id: string,
  update: ModelUpdate,
): Promise<ModelConfiguration> {
  const fields: Columns = {
    ...settingColumns(update.settings),
    ...(update.display_name === undefined ? {} : { display_name: update.display_name }),
    ...(update.is_active === undefined ? {} : { is_active: update.is_active }),
  };
  const keys = Object.keys(fields);
  const metadata = tx.json((update.settings?.metadata ?? {}) as postgres.JSONValue);
  const [row] = keys.length > 0
    ? await tx<ModelConfiguration[]>`
        update public.model_configs set ${tx(fields, keys)}, metadata = metadata || ${metadata}
        where user_id = ${userId} and id = ${id} returning ${columns(tx)}`
    : await tx<ModelConfiguration[]>`
        update public.model_configs set metadata = metadata || ${metadata}
        where user_id = ${userId} and id = ${id} returning ${columns(tx)}`;
  if (!row) throw modelNotFound();
  return row;
}
