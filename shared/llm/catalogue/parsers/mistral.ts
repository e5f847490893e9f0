/**
 * Mistral: rows with `max_context_length`, `capabilities` and `aliases`. Each model is listed once
 * per alias (`mistral-large-latest` and `mistral-large-2411` ...): a group is kept once, under its
 * canonical id (the one equal to `name`), with the other ids in `metadata.aliases`. Models without
 * chat completion (embeddings, OCR) and deprecated ones are hidden.
 * @module
 */
import { z } from "zod";
import type { ModelListParser } from "../types.ts";
import { count, entry, parseRows, rowsOf, strings, text } from "./common.ts";

const MistralModel = z.object({
  id: z.string().min(1),
  name: text,
  description: text,
  created: count,
  owned_by: text,
  max_context_length: count,
  aliases: strings.default([]),
  deprecation: text,
  capabilities: z.record(z.string(), z.unknown()).nullish().catch(null),
  type: text,
});

type MistralRow = z.infer<typeof MistralModel>;

function isListed(row: MistralRow, now: number): boolean {
  if (row.capabilities?.completion_chat === false) return false;
  if (!row.deprecation) return true;
  const deprecatedAt = Date.parse(row.deprecation);
  return Number.isNaN(deprecatedAt) || deprecatedAt > now;
}

/** The ids a row is known by: its own and its aliases, sorted, as one key. */
function groupKey(row: MistralRow): string {
  return [...new Set([row.id, ...row.aliases])].sort().join("\n");
}

/** One row per alias group, preferring the canonical id. */
function collapseAliases(rows: MistralRow[]): { row: MistralRow; aliases: string[] }[] {
  const groups = new Map<string, MistralRow[]>();
  for (const row of rows) {
    const key = groupKey(row);
    groups.set(key, [...groups.get(key) ?? [], row]);
  }
  return [...groups.values()].map((members) => {
    const row = members.find((member) => member.id === member.name) ?? members[0];
    const ids = new Set([...members.flatMap((member) => [member.id, ...member.aliases])]);
    ids.delete(row.id);
    return { row, aliases: [...ids].sort() };
  });
}

export const parseMistralModels: ModelListParser = (body) => {
  const now = Date.now();
  const rows = parseRows(rowsOf(body), MistralModel).filter((row) => isListed(row, now));
  return collapseAliases(rows).map(({ row, aliases }) =>
    entry("mistral", row.id, {
      name: row.name ?? row.id,
      description: row.description,
      context_window: row.max_context_length,
      metadata: {
        owned_by: row.owned_by,
        created: row.created,
        aliases: aliases.length > 0 ? aliases : null,
        capabilities: row.capabilities,
        type: row.type,
        deprecation: row.deprecation,
      },
    })
  );
};
