/**
 * The normalized catalogue entry every provider's model list is turned into (API.md
 * `ProviderModel`), whatever shape the provider answers with.
 * @module
 */
import type { ProviderId } from "../providers.ts";

/** Prices in US dollars; token prices per million tokens. Only the parts a provider publishes. */
export interface Pricing {
  currency: "USD";
  input_per_million?: number;
  output_per_million?: number;
  per_request?: number;
  per_image?: number;
}

export interface CatalogueModel {
  provider: ProviderId;
  id: string;
  name: string;
  description: string | null;
  context_window: number | null;
  max_output_tokens: number | null;
  pricing: Pricing | null;
  is_active: boolean;
  /** Provider-specific facts (owner, modalities, aliases, capabilities...). */
  metadata: Record<string, unknown>;
}

/** Turns one provider's model-list body into catalogue entries; rows it cannot read are skipped. */
export type ModelListParser = (body: unknown) => CatalogueModel[];
