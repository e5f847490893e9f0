/**
 * OpenRouter: rows with `context_length`, `architecture` and `pricing` (USD strings per token, or
 * per request / image), and `top_provider.max_completion_tokens`.
 * @module
 */
import { z } from "zod";
import type { ModelListParser, Pricing } from "../types.ts";
import { count, dropNulls, entry, parseRows, perMillion, price, rowsOf, strings, text } from "./common.ts";

const OpenRouterPricing = z.object({
  prompt: price,
  completion: price,
  request: price,
  image: price,
}).partial();

const OpenRouterModel = z.object({
  id: z.string().min(1),
  name: text,
  description: text,
  created: count,
  context_length: count,
  architecture: z.object({
    modality: text,
    input_modalities: strings.optional(),
    output_modalities: strings.optional(),
  }).nullish().catch(null),
  pricing: OpenRouterPricing.nullish().catch(null),
  top_provider: z.object({ context_length: count, max_completion_tokens: count }).nullish().catch(null),
  supported_parameters: strings.optional(),
});

function pricingOf(pricing: z.infer<typeof OpenRouterPricing> | null | undefined): Pricing | null {
  if (!pricing) return null;
  const known = dropNulls({
    input_per_million: perMillion(pricing.prompt),
    output_per_million: perMillion(pricing.completion),
    per_request: pricing.request ?? undefined,
    per_image: pricing.image ?? undefined,
  });
  return Object.keys(known).length > 0 ? { currency: "USD", ...known } : null;
}

export const parseOpenRouterModels: ModelListParser = (body) =>
  parseRows(rowsOf(body), OpenRouterModel).map((row) =>
    entry("openrouter", row.id, {
      name: row.name ?? row.id,
      description: row.description,
      context_window: row.context_length ?? row.top_provider?.context_length,
      max_output_tokens: row.top_provider?.max_completion_tokens,
      pricing: pricingOf(row.pricing),
      metadata: {
        created: row.created,
        modality: row.architecture?.modality,
        input_modalities: row.architecture?.input_modalities,
        output_modalities: row.architecture?.output_modalities,
        supported_parameters: row.supported_parameters,
      },
    })
  );
