/**
 * `ApiError`: an expected failure with the status, machine code and sentence it is answered with.
 * Services and the database layer throw it; the HTTP layer (http/app.ts) answers it. No HTTP
 * framework here, so any layer may throw one.
 * @module
 */

/** The statuses an expected failure is answered with (the 4xx and 5xx a client can meet). */
export type ErrorStatus = 400 | 401 | 403 | 404 | 405 | 413 | 415 | 422 | 424 | 429 | 500 | 503;

/** An expected failure: thrown by routes and services, answered by the app's error handler. */
export class ApiError extends Error {
  constructor(
    readonly status: ErrorStatus,
    readonly code: string,
    readonly detail: unknown,
    /** Headers the answer carries (e.g. `Retry-After`). */
    readonly headers: Record<string, string> = {},
  ) {
    super(typeof detail === "string" ? detail : code);
    this.name = "ApiError";
  }
}

export const notFound = (detail: string) => new ApiError(404, "not_found", detail);
export const badRequest = (detail: string, code = "bad_request") => new ApiError(400, code, detail);
export const forbidden = (detail: string) => new ApiError(403, "forbidden", detail);
export const unauthorized = (detail: string) => new ApiError(401, "unauthorized", detail);
/**
 * A request the caller can fix, refused with a specific code (a conflict among them: the app re-sends
 * 409s to another host, token and body included, so conflicts are 422s too).
 */
export const unprocessable = (code: string, detail: string) => new ApiError(422, code, detail);
