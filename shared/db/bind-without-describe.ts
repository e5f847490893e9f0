/**
 * One round trip per statement through a transaction pooler. Without prepared statements (Supavisor's
 * transaction mode), postgres.js 3.4 sends a statement that has parameters as Parse + Describe first and
 * waits for the parameter types before it binds the values — a round trip that also holds up every
 * statement pipelined behind it (bench/README.md "Through the transaction pooler": 3 round trips for a
 * one-statement read). The types only decide how postgres.js writes a value as text; for text, numbers,
 * booleans, bigints, dates, bytes and null it writes the same text either way (and Postgres infers the
 * parameter's type from the statement as it does when asked to describe it). So a statement whose values
 * are all of those is sent whole — Parse, Bind, Describe, Execute — without waiting; one carrying an
 * object or an array (JSON, arrays: written by the described type) still describes first.
 *
 * postgres.js decides this in one assignment, `query.describeFirst = ...`, on each query it builds; an
 * accessor on its query class's prototype receives it. The accessor only acts on queries of a client
 * without prepared statements (`query.prepare === false`) and never on `describe()` calls. Checked by
 * tests/db/pooler_test.ts (a relay counts the flights) and the whole suite, which runs through the pooler.
 * @module
 */
import type postgres from "postgres";

const DESCRIBE_FIRST = Symbol("describeFirst");

interface BuiltQuery {
  prepare?: boolean;
  onlyDescribe?: boolean;
  parameters?: unknown[];
  [DESCRIBE_FIRST]?: boolean;
}

/** A value postgres.js writes as the same text whether or not it knows the parameter's type. */
function bindsAsText(value: unknown): boolean {
  const kind = typeof value;
  return value === null || kind === "string" || kind === "number" || kind === "boolean" ||
    kind === "bigint" ||
    value instanceof Date || value instanceof Uint8Array;
}

function needsDescribe(query: BuiltQuery, wanted: boolean): boolean {
  if (!wanted || query.onlyDescribe || query.prepare !== false) return wanted;
  return !(query.parameters ?? []).every(bindsAsText);
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
  Object.defineProperty(prototype, "describeFirst", {
    configurable: true,
    get(this: BuiltQuery) {
      return this[DESCRIBE_FIRST] ?? false;
    },
    set(this: BuiltQuery, wanted: boolean) {
      this[DESCRIBE_FIRST] = needsDescribe(this, Boolean(wanted));
    },
  });
  installed = true;
}
