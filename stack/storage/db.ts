/**
 * Storage's database access. It connects as supabase_storage_admin, which owns the storage tables
 * (so its own lookups bypass RLS, like storage-api's `asSuperUser()`); requests on behalf of a caller
 * switch role inside their transaction so that the RLS policies on storage.objects/buckets decide.
 * @module
 */
import postgres from "postgres";
import type { StackConfig } from "../config.ts";
import type { Caller } from "./auth.ts";
import { fromDatabaseError } from "./errors.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

/** A connection pool for the Storage stand-in. */
export function connectStorageDb(config: StackConfig): Sql {
  return postgres(config.storageDbUrl, { max: 10, onnotice: () => {} });
}

/** The request facts PostgREST and Storage expose to policies, besides the claims. */
export interface RequestFacts {
  method: string;
  path: string;
  headers: Headers;
}

function headersJson(headers: Headers): string {
  const entries = [...headers].filter(([name]) => name !== "cookie");
  return JSON.stringify(Object.fromEntries(entries));
}

/** A verified caller plus the request facts policies can read. */
export interface CallerRequest {
  caller: Caller;
  facts: RequestFacts;
}

/** Makes the rest of the transaction run as the caller (set_config(..., true) = SET LOCAL). */
export async function actAs(tx: Tx, { caller, facts }: CallerRequest): Promise<void> {
  await tx`
    select set_config('role', ${caller.role}, true),
           set_config('request.jwt.claims', ${JSON.stringify(caller.claims)}, true),
           set_config('request.jwt.claim.sub', ${String(caller.claims.sub ?? "")}, true),
           set_config('request.jwt.claim.role', ${caller.role}, true),
           set_config('request.method', ${facts.method}, true),
           set_config('request.path', ${facts.path}, true),
           set_config('request.headers', ${headersJson(facts.headers)}, true)`;
}

/** Runs `work` in a transaction, translating database errors into Storage's. */
export async function transaction<T>(sql: Sql, work: (tx: Tx) => Promise<T>): Promise<T> {
  try {
    return await sql.begin(work) as T;
  } catch (error) {
    throw fromDatabaseError(error) ?? error;
  }
}

/** Runs `work` in a transaction as the caller. */
export async function asCaller<T>(
  sql: Sql,
  request: CallerRequest,
  work: (tx: Tx) => Promise<T>,
): Promise<T> {
  return await transaction(sql, async (tx) => {
    await actAs(tx, request);
    return await work(tx);
  });
}
