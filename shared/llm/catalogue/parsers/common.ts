/**
 * Reading loosely-typed provider rows: zod schemas that tolerate missing or odd fields, and the
 * helpers every parser shares.
 * @module
 */
import { z } from "zod";
import type { ProviderId } from "../../providers.ts";
import type { CatalogueModel } from "../types.ts";

/** A positive whole count, or null when absent or not a count. */
export const count = z.number().int().positive().nullish().catch(null);
/** A non-empty string, or null. */
export const text = z.string().min(1).nullish().catch(null);
/** A list of strings, or an empty list. */
export const strings = z.array(z.string()).catch([]);
/** A price: providers send numbers or decimal strings; negative means "varies" (unknown). */
export const price = z.union([z.number(), z.string()]).transform(Number).pipe(z.number().nonnegative())
  .nullish().catch(null);

/** The rows of `{data: [...]}` (OpenAI-style lists), or of a bare array. */
export function rowsOf(body: unknown): unknown[] {
  if (Array.isArray(body)) return body;
  const data = (body as { data?: unknown } | null)?.data;
  return Array.isArray(data) ? data : [];
}

/** Each row parsed with `schema`; rows that do not fit are skipped. */
export function parseRows<T extends z.ZodType>(rows: unknown[], schema: T): z.infer<T>[] {
  return rows.flatMap((row) => {
    const parsed = schema.safeParse(row);
    return parsed.success ? [parsed.data] : [];
  });
}

/** An entry with the defaults every provider shares; `fields` fills in what it knows. */
export function entry(
  provider: ProviderId,
  id: string,
  fields: Partial<Omit<CatalogueModel, "provider" | "id">>,
): CatalogueModel {
  return {
    provider,
    id,
    name: fields.name ?? id,
    description: fields.description ?? null,
    context_window: fields.context_window ?? null,
    max_output_tokens: fields.max_output_tokens ?? null,
    pricing: fields.pricing ?? null,
    is_active: fields.is_active ?? true,
    metadata: dropNulls(fields.metadata ?? {}),
  };
}

/** `record` without its null and undefined values (metadata stays small and readable). */
export function dropNulls<T extends Record<string, unknown>>(record: T): Partial<T> {
  return Object.fromEntries(
    Object.entries(record).filter(([, value]) => value !== null && value !== undefined),
  ) as Partial<T>;
}

/** US dollars per token as dollars per million tokens (rounded past float noise). */
export function perMillion(perToken: number | null | undefined): number | undefined {
  if (perToken === null || perToken === undefined) return undefined;
  return Math.round(perToken * 1e6 * 1e6) / 1e6;
}
