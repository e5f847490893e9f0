/**
 * Where the tests run: the stack named by SUPABASE_* variables (set by `npm test` from
 * `npm run stack -- status -o env`, or by you for `supabase start` or a hosted project).
 * @module
 */
import postgres from "postgres";

function required(name: string): string {
  const value = Deno.env.get(name);
  if (!value) throw new Error(`${name} is not set: run the tests with \`npm test\`.`);
  return value;
}

export const env = {
  url: required("SUPABASE_URL"),
  dbUrl: required("SUPABASE_DB_URL"),
  anonKey: required("SUPABASE_ANON_KEY"),
  serviceRoleKey: required("SUPABASE_SERVICE_ROLE_KEY"),
  secretKey: Deno.env.get("SUPABASE_SECRET_KEY") ?? "",
  publishableKey: Deno.env.get("SUPABASE_PUBLISHABLE_KEY") ?? "",
  jwtSecret: Deno.env.get("SUPABASE_JWT_SECRET") ?? "",
  /** The transaction pooler the functions connect through (the local stack's PgBouncer), or "". */
  poolerUrl: Deno.env.get("DB_POOLER_URL") ?? "",
};

export const functionsUrl = `${env.url}/functions/v1`;

/** A database client for one test file; close it with `await sql.end()`. */
export function db(options: postgres.Options<Record<string, postgres.PostgresType>> = {}) {
  return postgres(env.dbUrl, { max: 2, onnotice: () => {}, ...options });
}

/**
 * The local stack's log (the functions' request logs land there), or "" against another stack.
 * STACK_STATE_DIR names a second stack's folder; the default stack keeps it in .stack/.
 */
export async function stackLog(): Promise<string> {
  const stateDir = Deno.env.get("STACK_STATE_DIR") ?? new URL("../../.stack", import.meta.url).pathname;
  try {
    return await Deno.readTextFile(`${stateDir}/logs/stack.log`);
  } catch {
    return "";
  }
}

/** True when the tests run against the local stack (whose log they can read). */
export const isLocalStack = /^http:\/\/127\.0\.0\.1:/.test(env.url);
