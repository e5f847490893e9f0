import postgres from "postgres";

/**
 * SQLSTATEs of text Postgres cannot store: the NUL character, refused in text (22021, "invalid byte
 * sequence") and in jsonb (22P05, "unsupported Unicode escape sequence"). JSON allows `\u0000`, so a
 * client can send it in any string field: that is the caller's input to fix, not a server fault.
 */
const UNSTORABLE_TEXT = new Set(["22021", "22P05"]);

export function isUnstorableText(error: unknown): boolean {
  return error instanceof postgres.PostgresError && UNSTORABLE_TEXT.has(error.code);
}
