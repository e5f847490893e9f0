import { z } from "@hono/zod-openapi";
import { PROVIDER_IDS } from "../providers/registry.ts";
import { Timestamp } from "../providers/schemas.ts";

export { CatalogueQuery, ProviderModelsResponse } from "../providers/schemas.ts";

export const ModelSettings = z.object({
  temperature: z.number().min(0).max(2),
  max_tokens: z.number().int().min(16),
  top_p: z.number().min(0).max(1),
  frequency_penalty: z.number().min(0).max(2),
  presence_penalty: z.number().min(0).max(2),
  system_prompt: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()).openapi({
    description: "Facts kept with the model (e.g. context_window, max_output_tokens from the catalogue)",
  }),
}).openapi("ModelSettings");

export const ModelConfiguration = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  provider_id: z.uuid().nullable(),
  provider: z.enum(PROVIDER_IDS),
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

export const ImportModelsRequest = z.object({
  provider: z.string().trim().min(1).max(64).openapi({ example: "groq" }),
  models: z.array(z.string().trim().min(1).max(200)).min(1).max(100)
    .openapi({ example: ["llama-3.1-8b-instant"] }),
  sync: z.boolean().default(true).openapi({
    description:
      "Check the ids against the provider's live catalogue and keep its facts (needs the provider active)",
  }),
}).openapi("ImportModelsRequest");

export const ModelIdParams = z.object({
  model_id: z.uuid().openapi({ param: { name: "model_id", in: "path" } }),
});

export const SetDefaultRequest = z.object({
  is_default: z.boolean().default(true),
}).strict().openapi("SetDefaultRequest");

export type ModelConfiguration = z.infer<typeof ModelConfiguration>;
export type ImportModelsRequest = z.infer<typeof ImportModelsRequest>;
