/**
 * Storage's error contract: the body is `{statusCode: "<status as a string>", code, error, message}`
 * and the HTTP status is 400 for every error but a 500 (storage-api's userStatusCode), which is why
 * supabase-js reads `statusCode` from the body.
 * @module
 */

/** An error Storage renders to the client. */
export class StorageError extends Error {
  override name = "StorageError";

  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    /** The older `error` field; Storage falls back to the code when there is none. */
    readonly legacyError?: string,
  ) {
    super(message);
  }

  /** The response Storage sends for this error. */
  toResponse(): Response {
    const body = {
      statusCode: String(this.statusCode),
      code: this.code,
      error: this.legacyError ?? this.code,
      message: this.message,
    };
    return Response.json(body, { status: this.statusCode === 500 ? 500 : 400 });
  }
}

/** The errors this stand-in raises, named and worded as storage-api's ERRORS. */
export const errors = {
  noSuchBucket: () => new StorageError(404, "NoSuchBucket", "Bucket not found", "Bucket not found"),
  noSuchKey: () => new StorageError(404, "NoSuchKey", "Object not found", "not_found"),
  accessDenied: (message: string) =>
    new StorageError(403, "AccessDenied", message || "Access denied", "Unauthorized"),
  invalidJwt: (message: string) => new StorageError(400, "InvalidJWT", message || "Invalid JWT"),
  invalidSignature: () => new StorageError(400, "InvalidSignature", "Invalid signature"),
  alreadyExists: () =>
    new StorageError(409, "ResourceAlreadyExists", "The resource already exists", "Duplicate"),
  bucketNotEmpty: () =>
    new StorageError(409, "ResourceNotEmpty", "The bucket you tried to delete is not empty"),
  invalidBucketName: () => new StorageError(400, "InvalidBucketName", "Bucket name invalid", "Invalid Input"),
  invalidKey: (key: string) => new StorageError(400, "InvalidKey", `Invalid key: ${key}`),
  invalidRequest: (message: string) => new StorageError(400, "InvalidRequest", message),
  entityTooLarge: () =>
    new StorageError(
      413,
      "EntityTooLarge",
      "The object exceeded the maximum allowed size",
      "Payload too large",
    ),
  invalidMimeType: (mimeType: string) =>
    new StorageError(415, "InvalidMimeType", `mime type ${mimeType} is not supported`, "invalid_mime_type"),
  notFound: () => new StorageError(404, "NotFound", "Route not found", "Not Found"),
  internal: () => new StorageError(500, "InternalError", "Internal server error", "Internal"),
};

interface PostgresError {
  code: string;
  message: string;
}

function isPostgresError(error: unknown): error is PostgresError {
  return error instanceof Error && typeof (error as Partial<PostgresError>).code === "string" &&
    error.name === "PostgresError";
}

/** Maps a database error the way storage-api's DBError does (RLS refusals become 403s, etc.). */
export function fromDatabaseError(error: unknown): StorageError | null {
  if (!isPostgresError(error)) return null;
  switch (error.code) {
    case "42501":
      return errors.accessDenied(
        error.message.includes("row-level security")
          ? "new row violates row-level security policy"
          : error.message,
      );
    case "23505":
      return errors.alreadyExists();
    case "23503":
      return new StorageError(404, "InvalidRequest", "The related resource does not exist");
    case "22P02":
      return new StorageError(400, "InvalidParameter", error.message);
    default:
      return new StorageError(500, "DatabaseError", `database error, code: ${error.code}`);
  }
}
