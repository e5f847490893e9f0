/**
 * OpenAI-style lists `{object: "list", data: [{id, object, created, owned_by}]}`: OpenAI, DeepSeek
 * and OpenAI-compatible servers (Ollama, LM Studio...). No context or pricing in the list.
 * @module
 */
import { z } from "zod";
import type { ProviderId } from "../../providers.ts";
import type { ModelListParser } from "../types.ts";
import { count, entry, parseRows, rowsOf, text } from "./common.ts";

const OpenAiModel = z.object({
  id: z.string().min(1),
  created: count,
  owned_by: text,
});

/** The parser for an OpenAI-style list answered by `provider`. */
export function openAiStyleParser(provider: ProviderId): ModelListParser {
  return (body) =>
    parseRows(rowsOf(body), OpenAiModel).map((row) =>
      entry(provider, row.id, { metadata: { owned_by: row.owned_by, created: row.created } })
    );
}
