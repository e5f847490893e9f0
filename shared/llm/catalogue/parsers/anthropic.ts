/**
 * Anthropic: one cursor page `{data: [{type: "model", id, display_name, created_at}], has_more,
 * first_id, last_id}`; newer versions add token limits and `capabilities`.
 * @module
 */
import { z } from "zod";
import type { ModelListParser } from "../types.ts";
import { count, entry, parseRows, rowsOf, text } from "./common.ts";

const AnthropicModel = z.object({
  id: z.string().min(1),
  display_name: text,
  created_at: text,
  max_input_tokens: count,
  max_tokens: count,
  capabilities: z.record(z.string(), z.unknown()).nullish().catch(null),
});

export const parseAnthropicModels: ModelListParser = (body) =>
  parseRows(rowsOf(body), AnthropicModel).map((row) =>
    entry("anthropic", row.id, {
      name: row.display_name ?? row.id,
      context_window: row.max_input_tokens,
      max_output_tokens: row.max_tokens,
      metadata: { created_at: row.created_at, capabilities: row.capabilities },
    })
  );

/** Where the next page starts, when there is one. */
export function anthropicNextCursor(body: unknown): string | null {
  const page = body as { has_more?: unknown; last_id?: unknown } | null;
  return page?.has_more === true && typeof page.last_id === "string" ? page.last_id : null;
}
