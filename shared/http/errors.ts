/**
 * The error envelope `{detail, code, request_id}` every failure is answered with, and the
 * FastAPI-shaped validation details (`[{loc, msg, type}]`) the mobile client already reads.
 * @module
 */
import type { Context } from "hono";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { ZodError } from "zod";

/** An expected failure: thrown by routes and services, answered by the app's error handler. */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    readonly detail: unknown,
  ) {
    super(typeof detail === "string" ? detail : code);
    this.name = "ApiError";
  }
}

export const notFound = (detail: string) => new ApiError(404, "not_found", detail);
export const badRequest = (detail: string, code = "bad_request") => new ApiError(400, code, detail);
export const forbidden = (detail: string) => new ApiError(403, "forbidden", detail);
export const conflict = (detail: string, code = "conflict") => new ApiError(409, code, detail);
export const unauthorized = (detail: string) => new ApiError(401, "unauthorized", detail);

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
      msg: missing ? "Field required" : issue.message,
      type: missing ? "missing" : ZOD_TYPES[issue.code] ?? "value_error",
    };
  });
}

export function errorBody(c: Context, code: string, detail: unknown) {
  return { detail, code, request_id: c.get("requestId") as string | undefined ?? null };
}

export function errorResponse(c: Context, status: ContentfulStatusCode, code: string, detail: unknown) {
  return c.json(errorBody(c, code, detail), status);
}
