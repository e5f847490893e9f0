import { z } from "@hono/zod-openapi";
import { MAX_TIMEOUT_SECONDS, PROVIDER_IDS, requiresBaseUrl } from "./registry.ts";
import { isProviderId } from "../llm/providers.ts";
import { acceptingAliases } from "../http/aliases.ts";

export const Timestamp = z.iso.datetime({ offset: true }).or(z.date()).openapi({
  type: "string",
  format: "date-time",
});

const ProviderEnum = z.enum(PROVIDER_IDS);

export const ProviderConfiguration = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  provider: ProviderEnum,
  display_name: z.string(),
  base_url: z.string().nullable().openapi({ description: "The row's base URL, else the provider's default" }),
  metadata: z.record(z.string(), z.unknown()),
  api_key_preview: z.string().nullable(),
  is_active: z.boolean(),
  has_api_key: z.boolean(),
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi("ProviderConfiguration");

export const ProviderStatus = z.object({
  provider: ProviderEnum,
  display_name: z.string(),
  configured: z.boolean(),
  is_active: z.boolean(),
  has_api_key: z.boolean(),
  api_key_preview: z.string().nullable(),
  message: z.string(),
}).openapi("ProviderStatus");

const BaseUrl = z.url({ protocol: /^https?$/, error: "Must be an http(s) URL" }).max(2048)
  .transform((url) => url.replace(/\/+$/, ""));

const ApiKey = z.string().trim().min(16).max(4096);

/** `timeout` (seconds) tunes provider calls; anything else is kept as given. */
export const ProviderMetadata = z.object({
  timeout: z.coerce.number().positive().max(MAX_TIMEOUT_SECONDS).optional(),
}).catchall(z.unknown()).openapi("ProviderMetadata");

export const ActivateProviderRequest = acceptingAliases(z.object({
  provider: z.string().trim().min(1).max(64).openapi({ example: "groq" }),
  api_key: ApiKey,
  base_url: BaseUrl.nullish(),
  metadata: ProviderMetadata.optional(),
  display_name: z.string().trim().min(1).max(120).nullish(),
})).superRefine((value, ctx) => {
  const provider = value.provider.toLowerCase();
  if (isProviderId(provider) && requiresBaseUrl(provider) && !value.base_url) {
    ctx.addIssue({ code: "custom", path: ["base_url"], message: `base_url is required for ${provider}` });
  }
}).openapi("ActivateProviderRequest");

export const ActivateProviderResponse = z.object({ provider: ProviderConfiguration })
  .openapi("ActivateProviderResponse");

export const UpdateProviderRequest = acceptingAliases(z.object({
  display_name: z.string().trim().min(1).max(120).nullable().optional(),
  base_url: BaseUrl.nullable().optional(),
  metadata: ProviderMetadata.optional(),
  api_key: ApiKey.nullable().optional().openapi({
    description: "A new key (validated), or null to remove it",
  }),
  is_active: z.boolean().optional(),
})).openapi("UpdateProviderRequest");

export const ProviderParams = z.object({
  provider: z.string().min(1).max(64).openapi({ param: { name: "provider", in: "path" }, example: "openai" }),
});

export const Pricing = z.object({
  currency: z.literal("USD"),
  input_per_million: z.number().optional(),
  output_per_million: z.number().optional(),
  per_request: z.number().optional(),
  per_image: z.number().optional(),
}).openapi("Pricing", { description: "What the provider publishes; token prices per million tokens" });

export const ProviderModel = z.object({
  provider: ProviderEnum,
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  context_window: z.number().int().nullable(),
  max_output_tokens: z.number().int().nullable(),
  pricing: Pricing.nullable(),
  is_active: z.boolean(),
  metadata: z.record(z.string(), z.unknown()),
}).openapi("ProviderModel");

export const ProviderFailure = z.object({
  provider: ProviderEnum,
  code: z.string(),
  detail: z.string(),
}).openapi("ProviderFailure");

export const ProviderModelsResponse = z.object({
  models: z.array(ProviderModel),
  message: z.string(),
  configured_providers: z.array(ProviderEnum),
  missing_providers: z.array(ProviderEnum),
  provider_errors: z.array(ProviderFailure).openapi({
    description: "beyond: the configured providers whose catalogue could not be loaded, and why",
  }),
  using_fallback: z.literal(false).openapi({
    description: "Always false: this backend never spends an operator key on a user's catalogue",
  }),
}).openapi("ProviderModelsResponse");

const filter = (description: string) => z.string().trim().max(200).optional().openapi({ description });

export const CatalogueQuery = z.object({
  provider: filter("Only this provider"),
  name: filter("Case-insensitive substring of the model's name"),
  model_id: filter("Case-insensitive substring of the model's id"),
  query: filter("Case-insensitive substring of id, name, description or metadata"),
  refresh: z.enum(["true", "false", "1", "0"]).optional().transform((value) =>
    value === "true" || value === "1"
  )
    .openapi({ description: "beyond: bypass the catalogue cache and fetch again" }),
});

export type ProviderConfiguration = z.infer<typeof ProviderConfiguration>;
export type ProviderStatus = z.infer<typeof ProviderStatus>;
export type ActivateProviderRequest = z.infer<typeof ActivateProviderRequest>;
export type UpdateProviderRequest = z.infer<typeof UpdateProviderRequest>;
export type ProviderModelsResponse = z.infer<typeof ProviderModelsResponse>;
export type CatalogueQuery = z.infer<typeof CatalogueQuery>;
