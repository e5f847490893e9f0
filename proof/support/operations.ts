/**
 * The operations of a live OpenAPI 3.1 document, flattened to what the bad-input generator needs:
 * method, path, parameters and the (dereferenced) JSON body schema.
 * @module
 */

export interface Schema {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  prefixItems?: Schema[];
  enum?: unknown[];
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  anyOf?: Schema[];
  allOf?: Schema[];
  $ref?: string;
}

export interface Parameter {
  name: string;
  in: "path" | "query" | "header" | "cookie";
  required?: boolean;
  schema: Schema;
}

export interface Operation {
  method: string;
  /** The path template as the document writes it, e.g. /api/v1/chats/{chat_id}. */
  path: string;
  pathParams: Parameter[];
  queryParams: Parameter[];
  body?: Schema;
  secured: boolean;
  /** Every method the document lists for this path (the others answer 405). */
  pathMethods: string[];
}

interface Document {
  paths: Record<string, Record<string, RawOperation>>;
  components?: { schemas?: Record<string, Schema> };
}

interface RawOperation {
  parameters?: Parameter[];
  requestBody?: { content?: Record<string, { schema: Schema }> };
  security?: unknown[];
}

/** `allOf` parts (a schema extending another) as one object schema. */
function mergeAll(parts: Schema[]): Schema {
  return parts.reduce<Schema>((merged, part) => ({
    ...merged,
    ...part,
    properties: { ...merged.properties, ...part.properties },
    required: [...merged.required ?? [], ...part.required ?? []],
  }), {});
}

function dereference(schema: Schema, components: Record<string, Schema>): Schema {
  if (schema.$ref) return dereference(components[schema.$ref.split("/").pop()!], components);
  if (schema.allOf) {
    const { allOf, ...rest } = schema;
    return dereference(mergeAll([...allOf.map((part) => dereference(part, components)), rest]), components);
  }
  const resolved: Schema = { ...schema };
  if (schema.properties) {
    resolved.properties = Object.fromEntries(
      Object.entries(schema.properties).map(([name, value]) => [name, dereference(value, components)]),
    );
  }
  if (schema.items) resolved.items = dereference(schema.items, components);
  return resolved;
}

/** Every operation in `document`, bodies dereferenced. */
export function operationsOf(document: Document): Operation[] {
  const components = document.components?.schemas ?? {};
  return Object.entries(document.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, raw]) => {
      const parameters = raw.parameters ?? [];
      const jsonBody = raw.requestBody?.content?.["application/json"]?.schema;
      return {
        method: method.toUpperCase(),
        path,
        pathParams: parameters.filter((p) => p.in === "path"),
        queryParams: parameters.filter((p) => p.in === "query"),
        body: jsonBody ? dereference(jsonBody, components) : undefined,
        secured: (raw.security ?? []).length > 0,
        pathMethods: Object.keys(methods).map((m) => m.toUpperCase()),
      };
    })
  );
}

export const typesOf = (schema: Schema): string[] =>
  Array.isArray(schema.type) ? schema.type : schema.type ? [schema.type] : [];

/** A plausible valid value for `schema`: the generator then breaks the body somewhere else. */
export function plausible(schema: Schema): unknown {
  if (schema.enum) return schema.enum[0];
  const type = typesOf(schema).find((t) => t !== "null");
  if (type === "object") {
    return Object.fromEntries(
      Object.entries(schema.properties ?? {}).map(([name, value]) => [name, plausible(value)]),
    );
  }
  if (type === "array") return schema.prefixItems?.map(plausible) ?? [plausible(schema.items ?? {})];
  if (type === "integer" || type === "number") return schema.minimum ?? 1;
  if (type === "boolean") return true;
  if (schema.format === "email") return "bad-input@example.test";
  if (schema.format === "uuid") return UNKNOWN_ID;
  if (schema.format === "uri") return "https://example.test/";
  if (schema.format === "date") return "2000-01-01";
  return "x".repeat(Math.max(schema.minLength ?? 1, 1));
}

/** A well-formed id that names no row (the test user owns nothing it could point to). */
export const UNKNOWN_ID = "00000000-0000-4000-8000-00000000b4d1";
