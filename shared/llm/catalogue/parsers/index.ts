/**
 * The model-list parser of every supported provider.
 * @module
 */
import type { ProviderId } from "../../providers.ts";
import type { ModelListParser } from "../types.ts";
import { parseAnthropicModels } from "./anthropic.ts";
import { parseGroqModels } from "./groq.ts";
import { parseImageRouterModels } from "./imagerouter.ts";
import { parseMistralModels } from "./mistral.ts";
import { openAiStyleParser } from "./openai.ts";
import { parseOpenRouterModels } from "./openrouter.ts";

export const MODEL_LIST_PARSERS: Record<ProviderId, ModelListParser> = {
  openai: openAiStyleParser("openai"),
  groq: parseGroqModels,
  openrouter: parseOpenRouterModels,
  imagerouter: parseImageRouterModels,
  anthropic: parseAnthropicModels,
  deepseek: openAiStyleParser("deepseek"),
  mistral: parseMistralModels,
  openai_compatible: openAiStyleParser("openai_compatible"),
};

/** Whether `body` has the overall shape of `provider`'s model list (rows aside). */
export function isModelList(provider: ProviderId, body: unknown): boolean {
  if (Array.isArray(body)) return true;
  if (typeof body !== "object" || body === null) return false;
  return provider === "imagerouter" || Array.isArray((body as { data?: unknown }).data);
}

export { anthropicNextCursor } from "./anthropic.ts";
