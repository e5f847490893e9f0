/**
 * ImageRouter: `/v1/models` answers an object keyed by model id (not a list); each value lists the
 * upstream providers with a price per image (a `value`, or a `range`). The newer `/v2/models`
 * answers an array of the same records with an `id`: both are read.
 * @module
 */
import { z } from "zod";
import type { CatalogueModel, ModelListParser } from "../types.ts";
import { entry, parseRows, price, strings, text } from "./common.ts";

const ImagePrice = z.object({
  type: text,
  value: price,
  range: z.object({ min: price, average: price, max: price }).partial().nullish().catch(null),
}).partial();

const ImageRouterModel = z.object({
  id: z.string().min(1),
  providers: z.array(z.object({ id: text, pricing: ImagePrice.nullish().catch(null) }).loose()).catch([]),
  output: strings.optional(),
  arena_score: z.number().nullish().catch(null),
  release_date: text,
  supported_params: z.record(z.string(), z.unknown()).nullish().catch(null),
  sizes: strings.optional(),
});

type ImageRouterRow = z.infer<typeof ImageRouterModel>;

/** The records with their ids, from either the keyed object or the array form. */
function recordsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  if (typeof body !== "object" || body === null) return [];
  const wrapped = (body as { data?: unknown }).data;
  if (Array.isArray(wrapped)) return wrapped;
  return Object.entries(body).map(([id, value]) =>
    typeof value === "object" && value !== null ? { id, ...value } : null
  );
}

/** The cheapest price per image any upstream provider offers. */
function cheapestImagePrice(row: ImageRouterRow): number | null {
  const prices = row.providers.flatMap(({ pricing }) => {
    const value = pricing?.value ?? pricing?.range?.min ?? pricing?.range?.average;
    return value === null || value === undefined ? [] : [value];
  });
  return prices.length > 0 ? Math.min(...prices) : null;
}

function toEntry(row: ImageRouterRow): CatalogueModel {
  const perImage = cheapestImagePrice(row);
  return entry("imagerouter", row.id, {
    pricing: perImage === null ? null : { currency: "USD", per_image: perImage },
    metadata: {
      output: row.output,
      arena_score: row.arena_score,
      release_date: row.release_date,
      supported_params: row.supported_params,
      sizes: row.sizes,
      upstream_providers: row.providers.map((provider) => provider.id).filter(Boolean),
    },
  });
}

export const parseImageRouterModels: ModelListParser = (body) =>
  parseRows(recordsOf(body), ImageRouterModel).map(toEntry);
