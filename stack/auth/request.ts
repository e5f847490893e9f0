/**
 * Reading GoTrue request bodies: the 1 MiB limit, JSON parsing and the Go-style type checks that
 * turn a wrongly typed field into 400 bad_json, as `json.Unmarshal` into a params struct would.
 * @module
 */
import { readAtMost } from "../body.ts";
import { AuthError, badRequest } from "./errors.ts";

const BODY_LIMIT = 1024 * 1024;

type Kinds = {
  string: string;
  boolean: boolean;
  object: Record<string, unknown>;
};

/** Field name -> the JSON type the Go struct field has. */
export type ParamSpec = Record<string, keyof Kinds>;

/** The fields of a request body, typed by their {@link ParamSpec}; null and absent are undefined. */
export type Params<S extends ParamSpec> = { [K in keyof S]?: Kinds[S[K]] };

const GO_TYPES: Record<keyof Kinds, string> = {
  string: "string",
  boolean: "bool",
  object: "map[string]interface {}",
};

async function readLimited(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? 0);
  if (declared > BODY_LIMIT) throw tooLarge();
  return new TextDecoder().decode(await readAtMost(request.body, BODY_LIMIT, tooLarge));
}

function tooLarge(): AuthError {
  return new AuthError(413, "request_entity_too_large", "Request body too large");
}

function badJson(detail: string): AuthError {
  return badRequest("bad_json", `Could not parse request body as JSON: ${detail}`);
}

function jsonType(value: unknown): string {
  if (Array.isArray(value)) return "array";
  if (typeof value === "boolean") return "bool";
  return typeof value;
}

function jsonKind(value: unknown): string {
  return typeof value === "boolean" ? "boolean" : typeof value;
}

function parseJson(text: string, structName: string): Record<string, unknown> {
  if (text.trim() === "") throw badJson("unexpected end of JSON input");
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw badJson((error as Error).message);
  }
  if (value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    throw badJson(`json: cannot unmarshal ${jsonType(value)} into Go value of type api.${structName}`);
  }
  return value as Record<string, unknown>;
}

function pick<S extends ParamSpec>(body: Record<string, unknown>, spec: S, structName: string): Params<S> {
  const params: Record<string, unknown> = {};
  for (const [field, kind] of Object.entries(spec)) {
    const value = body[field];
    if (value === undefined || value === null) continue;
    const matches = kind === "object"
      ? typeof value === "object" && !Array.isArray(value)
      : jsonKind(value) === kind;
    if (!matches) {
      throw badJson(
        `json: cannot unmarshal ${jsonType(value)} into Go struct field ${structName}.${field} of type ${
          GO_TYPES[kind]
        }`,
      );
    }
    params[field] = value;
  }
  return params as Params<S>;
}

/**
 * Reads the body as the Go struct `structName` described by `spec`. With `allowEmpty`, an empty
 * body means "no parameters" (GoTrue only parses DELETE bodies that are present).
 */
export async function readParams<S extends ParamSpec>(
  request: Request,
  structName: string,
  spec: S,
  { allowEmpty = false } = {},
): Promise<Params<S>> {
  const text = await readLimited(request);
  if (allowEmpty && text.trim() === "") return {};
  return pick(parseJson(text, structName), spec, structName);
}

/** The client's address as far as the gateway tells it (for auth.sessions.ip). */
export function clientIp(request: Request): string | null {
  const forwarded = request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded && /^[0-9a-fA-F:.]+$/.test(forwarded) ? forwarded : null;
}
