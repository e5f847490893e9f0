/**
 * Checks for environment variables without a schema library: zod's module evaluation alone costs
 * ~45 ms of a function's boot, and the configuration is validated at boot. Each check reads one raw
 * value and returns it parsed, noting what is wrong with it in a {@link Problems} list, in the words
 * zod 4 used for the same schemas (the messages the functions gave before): a problem is `fatal` where
 * zod's issue aborted, so a check over several variables (`Problems.ok`) runs only when zod's did.
 * @module
 */

export interface Problem {
  /** The variable the problem is with. */
  name: string;
  message: string;
  /** zod's aborting issues: a type error, a value outside an enum, JSON that does not parse. */
  fatal: boolean;
}

/** What is wrong with an environment, in the order the variables were checked. */
export class Problems {
  readonly list: Problem[] = [];

  add(name: string, message: string, fatal = false) {
    this.list.push({ name, message, fatal });
  }

  /** No fatal problem so far: a check across variables may run. */
  get ok(): boolean {
    return this.list.every((problem) => !problem.fatal);
  }
}

/** The URL parser's own deletions (ASCII tab, LF, CR), applied to the kept value as zod did. */
const withoutTabsAndNewlines = (value: string) => value.replace(/[\t\n\r]/g, "");

/** Unset or empty: undefined. */
export const blankToUndefined = (raw: string | undefined) => raw === "" ? undefined : raw;

/** Any URL the URL parser accepts (trimmed). */
export function url(problems: Problems, name: string, raw: string): string {
  const trimmed = raw.trim();
  if (URL.canParse(trimmed)) return withoutTabsAndNewlines(trimmed);
  problems.add(name, "Invalid URL");
  return raw;
}

/** An http:// or https:// URL (trimmed); every way of failing reads `message`. */
export function httpUrl(problems: Problems, name: string, raw: string, message: string): string {
  const trimmed = raw.trim();
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed)) {
    problems.add(name, message);
    return raw;
  }
  return withoutTabsAndNewlines(trimmed);
}

/** A string matching `pattern`, as it is. */
export function matching(problems: Problems, name: string, raw: string, pattern: RegExp, message: string) {
  if (!pattern.test(raw)) problems.add(name, message);
  return raw;
}

/** Trimmed; blank is undefined. */
export function optionalText(raw: string | undefined): string | undefined {
  const trimmed = raw?.trim();
  return trimmed ? trimmed : undefined;
}

/** "true" or "false" (unset or empty: `fallback`). */
export function flag<T extends string | undefined>(
  problems: Problems,
  name: string,
  raw: string | undefined,
  fallback: T,
): "true" | "false" | T {
  const value = blankToUndefined(raw);
  if (value === undefined) return fallback;
  if (value === "true" || value === "false") return value;
  problems.add(name, 'must be "true" or "false"', true);
  return fallback;
}

/** JSON text, parsed; undefined (which JSON never is) and a fatal problem when it does not parse. */
export function json(problems: Problems, name: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    problems.add(name, "is not valid JSON", true);
    return undefined;
  }
}

/** zod's name for the type of a parsed JSON value. */
function typeName(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return Number.isNaN(value) ? "NaN" : typeof value;
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** Notes a type error unless `value` is of the `expected` JSON shape; true when it is. */
export function isOfType(
  problems: Problems,
  name: string,
  value: unknown,
  expected: "record" | "object" | "array" | "string",
): boolean {
  const fits = expected === "array"
    ? Array.isArray(value)
    : expected === "string"
    ? typeof value === "string"
    : isObject(value);
  if (!fits) problems.add(name, `Invalid input: expected ${expected}, received ${typeName(value)}`, true);
  return fits;
}

/** An object whose every value is a string. */
export function stringRecord(problems: Problems, name: string, value: unknown): Record<string, string> {
  if (!isOfType(problems, name, value, "record")) return {};
  const record = value as Record<string, unknown>;
  for (const entry of Object.values(record)) isOfType(problems, name, entry, "string");
  return record as Record<string, string>;
}

export interface NumberRules {
  integer?: boolean;
  /** Inclusive lower bound (`above`: exclusive). */
  min?: number;
  above?: number;
  max?: number;
  /** The message when above `max`. */
  maxMessage?: string;
}

/** `Number(raw)` (unset: `fallback`), held to `rules` in zod's order: finite, integer, bounds. */
export function number(
  problems: Problems,
  name: string,
  raw: string | undefined,
  fallback: number,
  rules: NumberRules,
): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value)) {
    problems.add(name, `Invalid input: expected number, received ${String(value)}`, true);
    return value;
  }
  if (rules.integer && !integerChecked(problems, name, value)) return value;
  if (rules.above !== undefined && !(value > rules.above)) {
    problems.add(name, `Too small: expected number to be >${rules.above}`);
  }
  if (rules.min !== undefined && value < rules.min) {
    problems.add(name, `Too small: expected number to be >=${rules.min}`);
  }
  if (rules.max !== undefined && value > rules.max) {
    problems.add(name, rules.maxMessage ?? `Too big: expected number to be <=${rules.max}`);
  }
  return value;
}

/** An integer (fatal otherwise) within the safe range (noted, not fatal); false when not an integer. */
function integerChecked(problems: Problems, name: string, value: number): boolean {
  if (!Number.isInteger(value)) {
    problems.add(name, "Invalid input: expected int, received number", true);
    return false;
  }
  if (value > Number.MAX_SAFE_INTEGER) {
    problems.add(name, `Too big: expected int to be <=${Number.MAX_SAFE_INTEGER}`);
  } else if (value < Number.MIN_SAFE_INTEGER) {
    problems.add(name, `Too small: expected int to be >=${Number.MIN_SAFE_INTEGER}`);
  }
  return true;
}
