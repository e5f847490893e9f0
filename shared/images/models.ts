/**
 * The image models a caller can use: the image-capable entries of their image providers'
 * catalogues (ImageRouter's image outputs, OpenAI's DALL·E and GPT image models, image-looking
 * models of an OpenAI-compatible server), or the two classic entries when none is found.
 * @module
 */
import type { CatalogueModel } from "../llm/catalogue/types.ts";
import { IMAGE_PROVIDER_IDS, type ImageProviderId } from "../llm/image-providers.ts";
import type { WithUser } from "../db/client.ts";
import { browseCatalogue } from "../providers/service.ts";
import { ApiError } from "../errors/api-error.ts";
import { baseCredits } from "./cost.ts";
import type { ImageModel } from "./schemas.ts";

/** What the old backend listed, priced with the cost estimate's base credits. */
export const CLASSIC_IMAGE_MODELS: ImageModel[] = [
  { id: "stable-diffusion-xl", name: "Stable Diffusion XL", provider: null },
  { id: "dalle-3", name: "DALL·E 3", provider: null },
].map((model) => ({ ...model, pricing: { per_image: baseCredits(model.id), currency: "credits" as const } }));

const IMAGE_MODEL_IDS: Record<ImageProviderId, RegExp> = {
  imagerouter: /./,
  openai: /^(dall-e|gpt-image)/i,
  openai_compatible: /image|dall-e|diffusion|sdxl|flux/i,
};

function isImageModel(model: CatalogueModel): boolean {
  const output = model.metadata.output;
  if (Array.isArray(output)) return output.includes("image");
  const provider = model.provider as ImageProviderId;
  return IMAGE_MODEL_IDS[provider]?.test(model.id) ?? false;
}

function toImageModel(model: CatalogueModel): ImageModel {
  return {
    id: model.id,
    name: model.name,
    provider: model.provider,
    pricing: { per_image: model.pricing?.per_image ?? null, currency: "USD" },
  };
}

/** The caller's image models, one catalogue per image provider, fetched concurrently. */
export async function imageModels(withUser: WithUser, userId: string): Promise<ImageModel[]> {
  const catalogues = await Promise.allSettled(
    IMAGE_PROVIDER_IDS.map((provider) => browseCatalogue(withUser, userId, { provider })),
  );
  // A refused caller (a deleted account's token) is not "no catalogue": it is the answer.
  const refused = catalogues.find((result) =>
    result.status === "rejected" && result.reason instanceof ApiError && result.reason.status === 401
  );
  if (refused) throw (refused as PromiseRejectedResult).reason;
  const models = catalogues.flatMap((result) => result.status === "fulfilled" ? result.value.models : [])
    .filter(isImageModel)
    .map(toImageModel);
  return models.length > 0 ? models : CLASSIC_IMAGE_MODELS;
}
