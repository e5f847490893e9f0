/**
 * The error envelope `{detail, message, code, request_id}` every failure (an `ApiError`, see
 * errors/api-error.ts) is answered with, and the FastAPI-shaped validation details (`[{loc, msg,
 * type}]`) the mobile client already reads. The app shows the first string under `error`, `message`, `detail` or `description`, so `message` is always a
 * sentence a person can read (for a 422: the first failing field and why).
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";
import { issueText } from "./issue-text.ts";

export interface ValidationDetail {
  loc: (string | number)[];
  msg: string;
  type: string;
}

const ZOD_TYPES: Record<string, string> = {
  invalid_type: "type_error",
  too_small: "value_error.too_small",
  too_big: "value_error.too_big",
  invalid_format: "value_error.format",
  invalid_value: "value_error.enum",
  unrecognized_keys: "value_error.extra",
  custom: "value_error",
};

/** zod issues as FastAPI's 422 `detail` list; `target` is "body", "query", "path" or "header". */
export function validationDetails(error: ZodError, target: string): ValidationDetail[] {
  return error.issues.map((issue) => {
    const missing = issue.code === "invalid_type" && /received undefined/.test(issue.message);
    return {
      loc: [target, ...issue.path.map((p) => typeof p === "symbol" ? String(p) : p)],
      msg: missing ? "Field required" : issueText(issue),
      type: missing ? "missing" : ZOD_TYPES[issue.code] ?? "value_error",
    };
  });
}

const isValidationList = (detail: unknown): detail is ValidationDetail[] =>
  Array.isArray(detail) && detail.length > 0 && typeof detail[0]?.msg === "string";

/** "password: at least 8 characters" — the first failing field (loc without its target) and why. */
function validationSentence([first]: ValidationDetail[]): string {
  const field = first.loc.slice(1).join(".");
  const why = first.type === "missing" ? "required" : first.msg;
  if (!field) return first.type === "missing" ? "The request body is required." : why;
  return `${field}: ${why}`;
}

/** The readable sentence for any error detail. */
export function messageOf(detail: unknown, code: string): string {
  if (typeof detail === "string" && detail) return detail;
  if (isValidationList(detail)) return validationSentence(detail);
  return `The request failed (${code}).`;
}

export function errorBody(c: Context, code: string, detail: unknown) {
  const requestId = c.get("requestId") as string | undefined ?? null;
  return { detail, message: messageOf(detail, code), code, request_id: requestId };
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, detail: unknown) {
  return c.json(errorBody(c, code, detail), status);
}
