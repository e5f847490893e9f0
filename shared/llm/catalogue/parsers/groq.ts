/**
 * Groq: OpenAI-style rows plus `active`, `context_window` and `max_completion_tokens` (newer rows
 * add `name` and modalities). Inactive rows are hidden.
 * @module
 */
import { z } from "zod";
import type { ModelListParser } from "../types.ts";
import { count, entry, parseRows, rowsOf, strings, text } from "./common.ts";

const GroqModel = z.object({
  id: z.string().min(1),
  name: text,
  created: count,
  owned_by: text,
  active: z.boolean().catch(true).default(true),
  context_window: count,
  max_completion_tokens: count,
  input_modalities: strings.optional(),
  output_modalities: strings.optional(),
});

export const parseGroqModels: ModelListParser = (body) =>
  parseRows(rowsOf(body), GroqModel).filter((row) => row.active).map((row) =>
    entry("groq", row.id, {
      name: row.name ?? row.id,
      context_window: row.context_window,
      max_output_tokens: row.max_completion_tokens,
      metadata: {
        owned_by: row.owned_by,
        created: row.created,
        input_modalities: row.input_modalities,
        output_modalities: row.output_modalities,
      },
    })
  );
