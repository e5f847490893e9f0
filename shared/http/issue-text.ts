/**
 * A zod issue as the short phrase a person reads after the field's name ("at least 8 characters",
 * "must be a valid email address"). zod's own messages ("Too small: expected string to have >=8
 * characters") are for developers; the app shows this text to its users.
 * @module
 */
import type { core } from "zod";

type Issue = core.$ZodIssue;

const UNITS: Record<string, [string, string]> = {
  string: ["character", "characters"],
  array: ["item", "items"],
  set: ["item", "items"],
  file: ["byte", "bytes"],
};

const FORMATS: Record<string, string> = {
  email: "a valid email address",
  url: "a valid URL",
  uuid: "a UUID",
  date: "a date (YYYY-MM-DD)",
  datetime: "a date and time (ISO 8601)",
};

function bound(
  issue: { origin: string; inclusive?: boolean },
  value: number | bigint,
  atLeast: boolean,
): string {
  const unit = UNITS[issue.origin];
  const n = Number(value);
  if (unit) {
    const count = issue.inclusive === false ? (atLeast ? n + 1 : n - 1) : n;
    if (atLeast && count === 1) return issue.origin === "string" ? "must not be empty" : "at least 1 item";
    return `${atLeast ? "at least" : "at most"} ${count} ${count === 1 ? unit[0] : unit[1]}`;
  }
  if (issue.inclusive === false) return `must be ${atLeast ? "greater" : "less"} than ${n}`;
  return `must be ${atLeast ? "at least" : "at most"} ${n}`;
}

const article = (type: string) => /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;

/** zod's built-in English messages; any other message was written for the schema and is kept. */
const ZOD_DEFAULT = /^(Invalid|Too small|Too big|Unrecognized)/;

export function issueText(issue: Issue): string {
  if (!ZOD_DEFAULT.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `must be ${article(issue.expected === "int" ? "integer" : issue.expected)}`;
    case "too_small":
      return bound(issue, issue.minimum, true);
    case "too_big":
      return bound(issue, issue.maximum, false);
    case "invalid_format":
      return issue.format === "regex"
        ? issue.message
        : `must be ${FORMATS[issue.format] ?? `a valid ${issue.format}`}`;
    case "invalid_value":
      return `must be one of ${issue.values.map((value) => JSON.stringify(value)).join(", ")}`;
    case "not_multiple_of":
      return `must be a multiple of ${issue.divisor}`;
    case "unrecognized_keys":
      return `unknown field${issue.keys.length === 1 ? "" : "s"}: ${issue.keys.join(", ")}`;
    default:
      return issue.message;
  }
}
