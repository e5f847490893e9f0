/**
 * Malformed requests from the OpenAPI operations: fast-check draws a seeded case spec (operation,
 * token, attack, noise), and `buildRequest` turns it into one request. Every request a valid token
 * could act on is invalid by construction: its body breaks the schema (see bodies.ts), a path id is
 * malformed or names no row, a query parameter is out of range, the method is wrong, or the body is
 * over the limit. Reads (GET) with only junk query keys are the one exception, and change nothing.
 * @module
 */
import fc from "fast-check";
import { type BodyAttack, bodyAttacks, type BodyChoice, buildBody } from "./bodies.ts";
import { type Operation, type Parameter, UNKNOWN_ID } from "./operations.ts";

export type Auth = "valid" | "none" | "garbage";
type Attack = BodyAttack | "bad-path-id" | "unknown-id" | "bad-query" | "wrong-method" | "junk-query";

export interface CaseSpec {
  op: number;
  auth: Auth;
  attack: number;
  choice: BodyChoice;
  contentType: number;
  junkQuery: boolean;
}

export interface PlannedRequest {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: Uint8Array<ArrayBuffer>;
  /** e.g. "POST /api/v1/chats wrong-type valid": for the summary and for diagnosis. */
  label: string;
  attack: string;
  token: Auth;
}

// JSON most of the time, so most bodies reach the validators rather than stopping at a 415.
const CONTENT_TYPES = [
  ...Array(5).fill("application/json"),
  "application/json; charset=utf-8",
  "",
  "text/plain",
  "application/x-www-form-urlencoded",
  "multipart/form-data; boundary=proof",
  "application/xml",
  "application/json; charset=latin-1; junk",
  "*/*",
];
const GARBAGE_TOKENS = [
  "not-a-token",
  "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.",
  "a.b.c",
  "Bearer Bearer",
  "x".repeat(8192),
];
const BAD_IDS = ["not-a-uuid", "1", "%FF%FE", "00000000-0000-0000-0000", "..%2F..", "%00", "z".repeat(5000)];
const BAD_QUERY_VALUES = ["-1", "0", "abc", "1e99", "%FF", "x".repeat(300), "maybe", "2026-13-45", "[]"];
const ALL_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"];

/** The arbitrary of case specs for `count` operations; sample it with a seed. */
export function caseSpecs(operationCount: number): fc.Arbitrary<CaseSpec> {
  return fc.record({
    op: fc.nat({ max: operationCount - 1 }),
    auth: fc.constantFrom<Auth>("valid", "valid", "none", "garbage"),
    attack: fc.nat(),
    choice: fc.record({
      pick: fc.nat(),
      size: fc.double({ min: 0, max: 1, noNaN: true }),
      junk: fc.string({ unit: "binary", minLength: 1, maxLength: 24 }),
    }),
    contentType: fc.nat({ max: CONTENT_TYPES.length - 1 }),
    junkQuery: fc.boolean(),
  });
}

/** The attacks that cannot succeed against `op` even with a valid token. */
function safeAttacks(op: Operation): Attack[] {
  const attacks: Attack[] = ["wrong-method"];
  if (op.body) attacks.push(...bodyAttacks(op.body));
  if (op.pathParams.length > 0) attacks.push("bad-path-id");
  if (op.queryParams.length > 0) attacks.push("bad-query");
  if (op.method !== "GET") attacks.push("oversize");
  // A well-formed unknown id is a no-op only if the rest of the request is broken or a read.
  if (op.pathParams.length > 0 && (op.body || op.method === "GET")) attacks.push("unknown-id");
  if (op.method === "GET") attacks.push("junk-query");
  return [...new Set(attacks)];
}

function pathValue(param: Parameter, attack: Attack, spec: CaseSpec): string {
  if (attack !== "bad-path-id") {
    return param.schema.format === "uuid" ? UNKNOWN_ID : encodeURIComponent(`proof-${spec.choice.pick}`);
  }
  // Non-uuid params (a provider name) break by length: the schema caps them at 64.
  if (param.schema.format !== "uuid") return "p".repeat(65 + (spec.choice.pick % 500));
  return BAD_IDS[spec.choice.pick % BAD_IDS.length];
}

function query(op: Operation, attack: Attack, spec: CaseSpec): string {
  const pairs: string[] = [];
  if (attack === "bad-query") {
    const param = op.queryParams[spec.choice.pick % op.queryParams.length];
    // A value the parameter's own enum allows (immediate=0) would be a valid request.
    const values = BAD_QUERY_VALUES.filter((value) => !param.schema.enum?.includes(value));
    pairs.push(`${param.name}=${values[spec.choice.pick % values.length]}`);
  }
  if (spec.junkQuery || attack === "junk-query") {
    const junk = encodeURIComponent(spec.choice.junk.toWellFormed());
    pairs.push(
      `${junk}=${junk}`,
      "%C3%28=%FF",
    );
  }
  return pairs.length > 0 ? `?${pairs.join("&")}` : "";
}

function headersFor(spec: CaseSpec, token: string, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  if (spec.auth === "valid") headers.authorization = `Bearer ${token}`;
  if (spec.auth === "garbage") {
    headers.authorization = `Bearer ${GARBAGE_TOKENS[spec.choice.pick % GARBAGE_TOKENS.length]}`;
  }
  const contentType = CONTENT_TYPES[spec.contentType];
  if (hasBody && contentType) headers["content-type"] = contentType;
  return headers;
}

function otherMethod(op: Operation, pick: number): string {
  const others = ALL_METHODS.filter((m) => !op.pathMethods.includes(m));
  return others.length > 0 ? others[pick % others.length] : "PURGE";
}

/** One request from `spec` against `operations`, under `baseUrl` (the functions URL). */
export function buildRequest(
  operations: Operation[],
  spec: CaseSpec,
  baseUrl: string,
  token: string,
): PlannedRequest {
  const op = operations[spec.op];
  const attacks = safeAttacks(op);
  const attack = attacks[spec.attack % attacks.length];
  const path = op.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const param = op.pathParams.find((p) => p.name === name)!;
    return pathValue(param, attack, spec);
  });
  const method = attack === "wrong-method" ? otherMethod(op, spec.choice.pick) : op.method;
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (method !== "GET" && op.body && attack !== "oversize") {
    const bodyAttack = (bodyAttacks(op.body) as Attack[]).includes(attack)
      ? attack as BodyAttack
      : "wrong-type";
    body = buildBody(bodyAttack, op.body, spec.choice);
  } else if (attack === "oversize") {
    body = buildBody("oversize", {}, spec.choice);
  }
  return {
    method,
    url: baseUrl + path + query(op, attack, spec),
    headers: headersFor(spec, token, body !== undefined),
    body,
    label: `${op.method} ${op.path}`,
    attack,
    token: spec.auth,
  };
}
