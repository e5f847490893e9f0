/**
 * camelCase spellings of request fields that older app builds send (`apiKey` for `api_key`, ...).
 * A body schema made with {@link acceptingAliases} takes either spelling (snake_case wins when both
 * arrive), validates the alias with the field's own rules, documents it in the OpenAPI document, and
 * hands the route the snake_case fields only.
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

/** `schema` accepting the camelCase aliases of the fields it has. */
export function acceptingAliases<S extends z.ZodRawShape>(schema: z.ZodObject<S>) {
  const aliases: Aliases = Object.entries(CAMEL_ALIASES).filter(([, snake]) => snake in schema.shape);
  const aliasShape = Object.fromEntries(aliases.map(([camel, snake]) => [
    camel,
    (schema.shape[snake] as z.ZodType).optional().openapi({
      description: `Alias of \`${snake}\` (older app builds); \`${snake}\` wins when both are sent`,
    }),
  ]));
  return z.preprocess(renameAliases(aliases), schema.extend(aliasShape)).transform((value) => {
    const fields: Record<string, unknown> = { ...value };
    for (const [camel] of aliases) delete fields[camel];
    return fields as z.output<z.ZodObject<S>>;
  });
}
