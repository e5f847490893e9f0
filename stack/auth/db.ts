/**
 * GoTrue's database connection: the supabase_auth_admin user (so triggers on auth.users run as
 * they do on Supabase) with `search_path = auth`, as that role has there.
 * @module
 */
import postgres from "postgres";
import type { StackConfig } from "../config.ts";

/** A pool or a transaction: every query helper accepts either. */
export type Db = postgres.ISql;

/** The pool GoTrue's handlers share. */
export type Pool = postgres.Sql;

export function connectAuthDb(config: StackConfig): Pool {
  return postgres(config.authDbUrl, {
    max: 5,
    onnotice: () => {},
    connection: { search_path: "auth", application_name: "gotrue" },
  });
}

/** A jsonb query parameter (postgres.js serialises it once, as JSON). */
export function jsonb(db: Db, value: Record<string, unknown> | null | undefined): postgres.Parameter {
  return db.json((value ?? {}) as postgres.JSONValue);
}
