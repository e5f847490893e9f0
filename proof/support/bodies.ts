/**
 * Request bodies that are always invalid: each one breaks the schema structurally (a required
 * field gone, a field of a type no coercion turns valid, a string past its maxLength, not an object
 * at all, not JSON, or past the body limit), so no body is accepted by accident. Noise (bad UTF-8,
 * deep nesting, junk keys) rides on top and never repairs the break.
 * @module
 */
import { plausible, type Schema, typesOf } from "./operations.ts";

export const MAX_BODY_BYTES = 1024 * 1024;

export type BodyAttack =
  | "missing-field"
  | "wrong-type"
  | "huge-string"
  | "deep-json"
  | "not-object"
  | "invalid-json"
  | "empty-body"
  | "bad-utf8"
  | "oversize";

export interface BodyChoice {
  /** Picks a field, a variant or a size: any non-negative integer. */
  pick: number;
  /** 0..1: how far past the limit a huge string or an oversize body goes. */
  size: number;
  /** Random unicode used as filler and junk. */
  junk: string;
}

const encoder = new TextEncoder();
const DEEP_MARK = "@@deep@@";
const BAD_UTF8 = [0xc3, 0x28, 0xff, 0xfe, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80];

const fields = (schema: Schema) => Object.entries(schema.properties ?? {});
const pickOf = <T>(items: T[], pick: number): T => items[pick % items.length];

/** The attacks that can break `schema` (every JSON body schema here is an object). */
export function bodyAttacks(schema: Schema): BodyAttack[] {
  const attacks: BodyAttack[] = ["wrong-type", "deep-json", "not-object", "invalid-json", "empty-body"];
  if ((schema.required ?? []).length > 0) attacks.push("missing-field");
  if (stringFields(schema).length > 0) attacks.push("huge-string");
  return [...attacks, "bad-utf8", "oversize"];
}

function stringFields(schema: Schema): [string, Schema][] {
  return fields(schema).filter(([, s]) => typesOf(s).includes("string") && s.maxLength !== undefined);
}

/** A value `schema` refuses whatever the content type: structure where a scalar or list belongs. */
function wrongValue(schema: Schema, junk: string): unknown {
  const types = typesOf(schema);
  if (types.includes("object")) return [junk, 42];
  if (types.includes("array")) return { junk };
  return { junk: [junk] };
}

/** A well-typed base object with one field replaced by a value of the wrong kind. */
function wrongTyped(schema: Schema, choice: BodyChoice): Record<string, unknown> {
  const base = plausible(schema) as Record<string, unknown>;
  const [name, field] = pickOf(fields(schema), choice.pick);
  return { ...base, [name]: wrongValue(field, choice.junk) };
}

function withoutRequired(schema: Schema, choice: BodyChoice): Record<string, unknown> {
  const base = plausible(schema) as Record<string, unknown>;
  delete base[pickOf(schema.required!, choice.pick)];
  return base;
}

/** A string one past maxLength at least; a few reach near (and some past) the 1 MiB body limit. */
function hugeString(schema: Schema, choice: BodyChoice): Record<string, unknown> {
  const [name, field] = pickOf(stringFields(schema), choice.pick);
  const filler = [...choice.junk.replace(/\s/g, "")].find((c) => c.length > 0) ?? "x";
  const extra = choice.pick % 5 === 0 ? Math.floor(choice.size * 1_000_000) : choice.pick % 1000;
  return { ...(plausible(schema) as object), [name]: filler.repeat(field.maxLength! + 1 + extra) };
}

/** Nesting `depth` deep, as text: no recursion on this side, whatever the depth. */
function deepText(depth: number, pick: number): string {
  return pick % 2 === 0
    ? "[".repeat(depth) + "1" + "]".repeat(depth)
    : '{"a":'.repeat(depth) + "1" + "}".repeat(depth);
}

function deepBody(schema: Schema, choice: BodyChoice): string {
  const depth = [10, 100, 1_000, 10_000, 100_000][choice.pick % 5];
  const typed = fields(schema).filter(([, s]) => !typesOf(s).includes("object") && typesOf(s).length > 0);
  // A deep object as the whole body would be an object of unknown keys, which a schema of optional
  // fields accepts: the whole body nests arrays, never objects.
  if (typed.length === 0 || choice.pick % 3 === 0) return deepText(depth, 0);
  const [name] = pickOf(typed, choice.pick);
  return JSON.stringify({ ...(plausible(schema) as object), [name]: DEEP_MARK })
    .replace(`"${DEEP_MARK}"`, deepText(depth, choice.pick));
}

function notObject(choice: BodyChoice): string {
  const values = [[], [{}], 42, -1e308, true, null, choice.junk, "[]", "{}"];
  return JSON.stringify(pickOf(values, choice.pick));
}

function invalidJson(schema: Schema, choice: BodyChoice): string {
  const text = JSON.stringify(plausible(schema));
  const variants = [
    text.slice(0, Math.max(1, text.length - 2)),
    text + "}",
    text.replace(/"/g, "'"),
    `{${choice.junk}}`,
    "{,}",
    "\u0000",
    "NaN",
    '{"a":1,}',
  ];
  return pickOf(variants, choice.pick);
}

/** Invalid UTF-8 bytes inside a wrong-typed field: decoding them to U+FFFD must not help. */
function badUtf8(schema: Schema, choice: BodyChoice): Uint8Array<ArrayBuffer> {
  const text = JSON.stringify(wrongTyped(schema, { ...choice, junk: "\u0001bad\u0001" }));
  const [before, after] = text.split("\\u0001bad\\u0001");
  return concat(encoder.encode(before), new Uint8Array(BAD_UTF8), encoder.encode(after ?? ""));
}

function oversize(choice: BodyChoice): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(MAX_BODY_BYTES + 1 + Math.floor(choice.size * 256 * 1024));
  bytes.fill(0x61);
  bytes.set(encoder.encode('{"a":"'));
  return bytes;
}

function concat(...parts: Uint8Array<ArrayBuffer>[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** The bytes of `attack` against `schema`. */
export function buildBody(attack: BodyAttack, schema: Schema, choice: BodyChoice): Uint8Array<ArrayBuffer> {
  switch (attack) {
    case "missing-field":
      return encoder.encode(JSON.stringify(withoutRequired(schema, choice)));
    case "wrong-type":
      return encoder.encode(JSON.stringify(wrongTyped(schema, choice)));
    case "huge-string":
      return encoder.encode(JSON.stringify(hugeString(schema, choice)));
    case "deep-json":
      return encoder.encode(deepBody(schema, choice));
    case "not-object":
      return encoder.encode(notObject(choice));
    case "invalid-json":
      return encoder.encode(invalidJson(schema, choice));
    case "empty-body":
      return new Uint8Array(choice.pick % 2 === 0 ? 0 : 3).fill(0x20);
    case "bad-utf8":
      return badUtf8(schema, choice);
    case "oversize":
      return oversize(choice);
  }
}
