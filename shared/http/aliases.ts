/**
 * Other spellings of request fields that app builds send: camelCase (`apiKey` for `api_key`, ...)
 * and a few longer names (`old_password` for `old`). A body schema made with {@link acceptingAliases}
 * takes either spelling (the contract's own name wins when both arrive), validates the alias with the
 * field's own rules, documents it in the OpenAPI document, and hands the route the contract's fields
 * only.
 * @module
 */
import { z } from "@hono/zod-openapi";

/** Every alias the app is known to send, and the field it stands for. */
export const CAMEL_ALIASES = {
  apiKey: "api_key",
  baseUrl: "base_url",
  isActive: "is_active",
  displayName: "display_name",
  isDefault: "is_default",
  sharedSettings: "settings",
} as const;

type Aliases = [camel: string, snake: string][];

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** An alias sent alone becomes its field; sent beside the field it stays, to be validated and dropped. */
const renameAliases = (aliases: Aliases) => (value: unknown) => {
  if (!isObject(value)) return value;
  const renamed = { ...value };
  for (const [camel, snake] of aliases) {
    if (renamed[snake] === undefined && renamed[camel] !== undefined) {
      renamed[snake] = renamed[camel];
      delete renamed[camel];
    }
  }
  return renamed;
};

/**
 * `schema` accepting the aliases (alias → field; by default {@link CAMEL_ALIASES}) of the fields it
 * has.
 */
export function acceptingAliases<S extends z.ZodRawShape>(
  schema: z.ZodObject<S>,
  known: Record<string, string> = CAMEL_ALIASES,
) {
  const aliases: Aliases = Object.entries(known).filter(([, snake]) => snake in schema.shape);
  const aliasShape = Object.fromEntries(aliases.map(([camel, snake]) => [
    camel,
    (schema.shape[snake] as z.ZodType).optional().openapi({
      description: `Alias of \`${snake}\` (other app builds); \`${snake}\` wins when both are sent`,
    }),
  ]));
  return z.preprocess(renameAliases(aliases), schema.extend(aliasShape)).transform((value) => {
    const fields: Record<string, unknown> = { ...value };
    for (const [camel] of aliases) delete fields[camel];
    return fields as z.output<z.ZodObject<S>>;
  });
}
