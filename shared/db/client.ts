/**
 * One postgres.js client per isolate, from SUPABASE_DB_URL. Every request that acts for a user runs
 * in one transaction that first does what PostgREST does (role + `request.jwt.claims`, transaction
 * local), so the RLS policies are the real guard.
 *
 * Against Supabase's transaction pooler (port 6543) prepared statements are unavailable, so
 * `prepare` is off there; a direct connection (5432, or the local stack) keeps them.
 * @module
 */
import postgres from "postgres";
import { config } from "../config/env.ts";
import type { UserClaims } from "../http/types.ts";

export type Sql = postgres.Sql;
export type Tx = postgres.TransactionSql;

let client: Sql | undefined;

/** The isolate's client; small pool, short idle time, as suits an edge function. */
export function sql(): Sql {
  client ??= createClient(config().dbUrl, { max: config().dbPoolMax });
  return client;
}

export function createClient(url: string, options: postgres.Options<Record<string, never>> = {}): Sql {
  const pooled = new URL(url).port === "6543";
  return postgres(url, {
    max: 10,
    idle_timeout: 20,
    connect_timeout: 10,
    prepare: !pooled,
    onnotice: () => {},
    transform: { undefined: null },
    ...options,
  });
}

/** Awaits the work, but reports a failed setup statement first: its error is the real cause. */
async function afterSetup<T>(setup: Promise<unknown>, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    await setup;
    throw error;
  } finally {
    await setup;
  }
}

/**
 * Runs `work` in a transaction as the user the claims describe. The role/claims statement is sent
 * without waiting for its answer, so it travels in the same round trip as the first query.
 */
export function asUser<T>(claims: UserClaims, work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return db.begin(async (tx) => {
    const setup = tx`select set_config('role', 'authenticated', true),
                            set_config('request.jwt.claims', ${JSON.stringify(claims)}, true)`.execute();
    return await afterSetup(setup, work(tx));
  }) as Promise<T>;
}

/** Runs `work` in a transaction with the service role (RLS bypassed): for trusted server paths only. */
export function asService<T>(work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return db.begin(async (tx) => {
    const setup = tx`select set_config('role', 'service_role', true)`.execute();
    return await afterSetup(setup, work(tx));
  }) as Promise<T>;
}
