/**
 * GoTrue's error responses: the legacy `{code:<status>, error_code, msg}` shape, the 2024-01-01
 * `{code:"<error_code>", message}` shape chosen by the X-Supabase-Api-Version request header, and
 * the OAuth `{error, error_description}` shape a few paths still use.
 * @module
 */

export const API_VERSION_HEADER = "X-Supabase-Api-Version";
const API_VERSION_2024 = "2024-01-01";

/** An HTTPError in GoTrue's sense: a status, a machine-readable code and a message for people. */
export class AuthError extends Error {
  override name = "AuthError";
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
    readonly weakPasswordReasons?: string[],
  ) {
    super(message);
  }
}

/** The OAuth2-style error GoTrue still answers with on a few paths (always HTTP 400). */
export class OAuthError extends Error {
  override name = "OAuthError";
  constructor(readonly error: string, readonly description = "") {
    super(`${error}: ${description}`);
  }
}

export const badRequest = (code: string, message: string) => new AuthError(400, code, message);
export const unauthorized = (code: string, message: string) => new AuthError(401, code, message);
export const forbidden = (code: string, message: string) => new AuthError(403, code, message);
export const notFound = (code: string, message: string) => new AuthError(404, code, message);
export const unprocessable = (code: string, message: string) => new AuthError(422, code, message);

/** A 500 whose cause is logged, never sent. */
export function internalError(message: string, cause?: unknown): AuthError {
  if (cause !== undefined) console.error(`auth: ${message}:`, cause);
  return new AuthError(500, "unexpected_failure", message);
}

export function weakPassword(message: string, reasons: string[]): AuthError {
  return new AuthError(422, "weak_password", message, reasons);
}

/** The closest API version GoTrue knows for the request header, or null for the legacy shape. */
export function requestApiVersion(request: Request): string | null {
  const value = request.headers.get(API_VERSION_HEADER);
  if (!value || !/^\d{4}-\d{2}-\d{2}$/.test(value) || Number.isNaN(Date.parse(value))) return null;
  return value >= API_VERSION_2024 ? API_VERSION_2024 : null;
}

function errorBody(error: AuthError, version: string | null): Record<string, unknown> {
  const body: Record<string, unknown> = version
    ? { code: error.errorCode, message: error.message }
    : { code: error.status, error_code: error.errorCode, msg: error.message };
  if (!version && error.status >= 500) body.error_id = crypto.randomUUID();
  if (error.weakPasswordReasons) body.weak_password = { reasons: error.weakPasswordReasons };
  return body;
}

/** Turns anything a handler threw into the response GoTrue would send for it. */
export function errorResponse(error: unknown, request: Request): Response {
  if (error instanceof OAuthError) {
    const body = error.description
      ? { error: error.error, error_description: error.description }
      : { error: error.error };
    return Response.json(body, { status: 400 });
  }
  const authError = error instanceof AuthError ? error : unexpected(error);
  const version = requestApiVersion(request);
  const headers = new Headers({ "x-sb-error-code": authError.errorCode });
  if (version) headers.set(API_VERSION_HEADER, version);
  return Response.json(errorBody(authError, version), { status: authError.status, headers });
}

function unexpected(error: unknown): AuthError {
  console.error("auth: unhandled error:", error);
  return new AuthError(
    500,
    "unexpected_failure",
    "Unexpected failure, please check server logs for more information",
  );
}
