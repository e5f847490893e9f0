/**
 * The providers that can generate images through an OpenAI-compatible images endpoint, in the order
 * a job picks one when the caller names none (API.md Jobs), with their endpoint dialect and default
 * model (base URLs are in ./providers.ts).
 * @module
 */
import type { ImageApi } from "./images.ts";

export const IMAGE_PROVIDER_IDS = ["imagerouter", "openai", "openai_compatible"] as const;

export type ImageProviderId = typeof IMAGE_PROVIDER_IDS[number];

export interface ImageProviderSpec {
  api: ImageApi;
  /** Used when the job names no model; null when the caller must name one. */
  defaultModel: string | null;
}

export const IMAGE_PROVIDERS: Record<ImageProviderId, ImageProviderSpec> = {
  imagerouter: { api: "imagerouter", defaultModel: "openai/gpt-image-1" },
  openai: { api: "openai", defaultModel: "gpt-image-1" },
  openai_compatible: { api: "openai", defaultModel: null },
};

export function isImageProvider(value: unknown): value is ImageProviderId {
  return typeof value === "string" && (IMAGE_PROVIDER_IDS as readonly string[]).includes(value);
}
