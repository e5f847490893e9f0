import { z } from "@hono/zod-openapi";
import { acceptingAliases } from "../http/aliases.ts";
import { JsonObject } from "../http/json-object.ts";
import { CLIENT_SIDE_PROVIDERS, PROVIDER_IDS } from "../providers/registry.ts";
import { Timestamp } from "../providers/schemas.ts";

export { CatalogueQuery, ProviderModelsResponse } from "../providers/schemas.ts";

/** The most a model's metadata may take, as JSON text. */
const MAX_METADATA_BYTES = 16 * 1024;
/** The database's limit on a system prompt (model_configs_system_prompt_length). */
const MAX_SYSTEM_PROMPT_CHARS = 20_000;

export const ModelSettings = z.object({
  temperature: z.number().min(0).max(2),
  max_tokens: z.number().int().min(16),
  top_p: z.number().min(0).max(1),
  frequency_penalty: z.number().min(0).max(2),
  presence_penalty: z.number().min(0).max(2),
  system_prompt: z.string().nullable(),
  vision: z.boolean().nullable().openapi({
    description:
      "Whether the model takes images; null: the catalogue's facts (metadata.input_modalities) decide",
  }),
  metadata: z.record(z.string(), z.unknown()).openapi({
    description: "Facts kept with the model (e.g. context_window, max_output_tokens from the catalogue)",
  }),
}).openapi("ModelSettings");

/** A number setting: null (as the app's serialiser sends "unset") is the same as leaving it out. */
const unsetWhenNull = <T extends z.ZodType>(schema: T) =>
  schema.nullish().transform((value) => value ?? undefined);

/** Settings sent at import or in an edit: only these keys are kept; others never reach a provider. */
export const ModelSettingsInput = z.object({
  temperature: unsetWhenNull(z.number().min(0).max(2)),
  max_tokens: unsetWhenNull(z.number().int().min(16).max(1_048_576)),
  top_p: unsetWhenNull(z.number().min(0).max(1)),
  frequency_penalty: unsetWhenNull(z.number().min(0).max(2)),
  presence_penalty: unsetWhenNull(z.number().min(0).max(2)),
  system_prompt: z.string().max(MAX_SYSTEM_PROMPT_CHARS).nullable().optional()
    .openapi({ description: "null removes it" }),
  vision: z.boolean().nullable().optional().openapi({
    description: "Whether the model takes images; null: unsaid",
  }),
  metadata: JsonObject(MAX_METADATA_BYTES, "Merged one level deep into the stored metadata").optional(),
}).openapi("ModelSettingsInput", {
  description: "Generation settings; keys not listed are ignored and never reach a provider request",
});

export const ModelProvider = z.enum([...PROVIDER_IDS, ...CLIENT_SIDE_PROVIDERS]);

export const ModelConfiguration = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  provider_id: z.uuid().nullable(),
  provider: ModelProvider,
  name: z.string(),
  model: z.string(),
  display_name: z.string().nullable(),
  description: z.string().nullable(),
  is_default: z.boolean(),
  is_active: z.boolean(),
  settings: ModelSettings,
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi("ModelConfiguration");

const ModelId = z.string().trim().min(1).max(200);

/** One model to import: its id alone, or an object as the app sends it. */
export const ImportItem = z.union([
  ModelId,
  z.object({
    id: ModelId.optional(),
    model: ModelId.optional().openapi({ description: "Alias of id" }),
    name: z.string().trim().min(1).max(200).nullish().openapi({ description: "The display name" }),
    description: z.string().max(2000).nullish(),
    metadata: JsonObject(MAX_METADATA_BYTES, "Kept with the model").nullish(),
  }).refine((item) => item.id ?? item.model, { message: "id (or model) is required", path: ["id"] }),
]).openapi("ImportItem");

export const ImportModelsRequest = acceptingAliases(z.object({
  provider: z.string().trim().min(1).max(64).openapi({ example: "groq" }),
  provider_id: z.string().max(200).nullish().openapi({
    description: "Accepted from the app and ignored: the caller's configuration of `provider` is used",
  }),
  models: z.array(ImportItem).min(1).max(100).openapi({ example: ["llama-3.1-8b-instant"] }),
  sync: z.boolean().default(true).openapi({
    description: "Check the ids against the provider's live catalogue and keep its facts (needs the " +
      "provider active; never for the app's client-side providers, ollama and lmstudio)",
  }),
  settings: ModelSettingsInput.optional().openapi({
    description: "Applied to every imported configuration",
  }),
})).openapi("ImportModelsRequest");

export const ModelUpdate = acceptingAliases(z.object({
  display_name: z.string().trim().min(1).max(200).nullable().optional(),
  settings: ModelSettingsInput.optional().openapi({ description: "Only the settings sent change" }),
  is_active: z.boolean().optional(),
})).openapi("ModelUpdate");

export const ModelIdParams = z.object({
  model_id: z.uuid().openapi({ param: { name: "model_id", in: "path" } }),
});

export const SetDefaultRequest = acceptingAliases(z.object({
  is_default: z.boolean().optional().openapi({ default: true }),
})).openapi("SetDefaultRequest");

export type ModelConfiguration = z.infer<typeof ModelConfiguration>;
export type ImportModelsRequest = z.infer<typeof ImportModelsRequest>;
export type ModelSettingsInput = z.infer<typeof ModelSettingsInput>;
export type ModelUpdate = z.infer<typeof ModelUpdate>;
