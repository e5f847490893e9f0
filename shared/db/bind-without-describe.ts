/**
 * One round trip per statement through a transaction pooler. Without prepared statements (Supavisor's
 * transaction mode), postgres.js 3.4 sends a statement that has parameters as Parse + Describe first and
 * waits for the parameter types before it binds the values — a round trip that also holds up every
 * statement pipelined behind it (bench/README.md "Through the transaction pooler": 3 round trips for a
 * one-statement read). The types only decide how postgres.js writes a value as text; for text, numbers,
 * booleans, bigints, dates, bytes and null it writes the same text either way (and Postgres infers the
 * parameter's type from the statement as it does when asked to describe it), and a value given its type
 * (`tx.json(...)`) is written by that type. So a statement whose values are all of those is sent whole —
 * Parse, Bind, Describe, Execute — without waiting; one carrying an untyped object or array (written by
 * the described type) still describes first.
 *
 * postgres.js decides this on each query it builds, assigning `query.describeFirst` and then
 * `query.statement` (which holds the values' types); accessors on its query class's prototype receive
 * both, and the second takes the decision back when the values need no description. They only act on queries of a client without prepared statements (`query.prepare === false`) and
 * never on `describe()` calls. Checked by tests/db/bind_without_describe_test.ts (a relay counts the
 * flights; every kind of value compared with a described one) and the whole suite, which runs through the
 * pooler.
 * @module
 */
import type postgres from "postgres";

const DESCRIBE_FIRST = Symbol("describeFirst");
const STATEMENT = Symbol("statement");

interface Statement {
  types?: number[];
}

interface BuiltQuery {
  prepare?: boolean;
  onlyDescribe?: boolean;
  parameters?: unknown[];
  [DESCRIBE_FIRST]?: boolean;
  [STATEMENT]?: Statement | null;
}

/**
 * Types postgres.js writes by their own serializer (booleans, bytes, integers, text, JSON, floats, dates,
 * numeric, uuid): a value given one of them needs no description.
 */
const JSON_TYPES = new Set([114, 3802]);
const WRITTEN_BY_TYPE = new Set([16, 17, 20, 21, 23, 25, 114, 700, 701, 1082, 1114, 1184, 1700, 2950, 3802]);

/** A value postgres.js writes as the same text whether or not it knows the parameter's type. */
function bindsAsText(value: unknown): boolean {
  const kind = typeof value;
  return value === null || kind === "string" || kind === "number" || kind === "boolean" ||
    kind === "bigint" ||
    value instanceof Date || value instanceof Uint8Array;
}

/** Once the values' types are known: whether each is plain text or written by its given type. */
function typesSuffice(query: BuiltQuery, statement: Statement): boolean {
  if (query.onlyDescribe || query.prepare !== false) return false;
  const types = statement.types ?? [];
  return (query.parameters ?? []).every((value, i) => {
    if (!types[i]) return bindsAsText(value);
    // An array's type is inferred from its first element: only JSON writes a whole object or array.
    return bindsAsText(value) ? WRITTEN_BY_TYPE.has(types[i]) : JSON_TYPES.has(types[i]);
  });
}

let installed = false;

/**
 * Lets the queries of clients without prepared statements bind without describing first (see the
 * module's documentation). `sql` is any postgres.js client: its query class is shared by all of them.
 */
export function bindWithoutDescribing(sql: postgres.Sql): void {
  if (installed) return;
  // Building a query does not run it: postgres.js runs a query when it is awaited or executed.
  const prototype = Object.getPrototypeOf(sql`select 1`) as object;
  if (Object.getOwnPropertyDescriptor(prototype, "describeFirst")) return;
  if (Object.getOwnPropertyDescriptor(prototype, "statement")) return;
  Object.defineProperty(prototype, "describeFirst", {
    configurable: true,
    get(this: BuiltQuery) {
      return this[DESCRIBE_FIRST] ?? false;
    },
    set(this: BuiltQuery, wanted: boolean) {
      this[DESCRIBE_FIRST] = Boolean(wanted);
    },
  });
  Object.defineProperty(prototype, "statement", {
    configurable: true,
    get(this: BuiltQuery) {
      return this[STATEMENT] ?? null;
    },
    set(this: BuiltQuery, statement: Statement | null) {
      this[STATEMENT] = statement;
      if (statement && this[DESCRIBE_FIRST] && typesSuffice(this, statement)) this[DESCRIBE_FIRST] = false;
    },
  });
  installed = true;
}
