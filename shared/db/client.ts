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
import { ApiError } from "../http/errors.ts";
import type { UserClaims } from "../http/types.ts";
import { guardDeadSocketWrites, isConnectionError } from "./connection-errors.ts";

export type Sql = postgres.Sql;
/** A connection inside one of {@link asUser} / {@link asService}'s transactions. */
export type Tx = postgres.ReservedSql;

let client: Sql | undefined;

/** The isolate's client; small pool, short idle time, as suits an edge function. */
export function sql(): Sql {
  client ??= createClient(config().dbUrl, { max: config().dbPoolMax });
  return client;
}

export function createClient(url: string, options: postgres.Options<Record<string, never>> = {}): Sql {
  const pooled = new URL(url).port === "6543";
  guardDeadSocketWrites();
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

/** How long a request waits for a connection before it is answered 503 (see reserveWithin). */
const RESERVE_TIMEOUT_MS = 5_000;

/**
 * A reserved connection, or a connection error after `ms`. While Postgres is down or restarting,
 * postgres.js parks reservations until a connection frees up, which may never happen (found by
 * proof/faults.ts: requests hung for the whole outage and beyond). A reservation granted too late
 * goes straight back to the pool.
 */
export async function reserveWithin(db: Sql, ms = RESERVE_TIMEOUT_MS): Promise<Tx> {
  const reserving = db.reserve();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const error = new Error(`No database connection within ${ms} ms.`);
      reject(Object.assign(error, { code: "CONNECT_TIMEOUT" }));
    }, ms);
  });
  try {
    return await Promise.race([reserving, timeout]);
  } catch (error) {
    reserving.then((tx) => tx.release(), () => {});
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One transaction on a reserved connection, with `begin`, the role/claims statement and the first
 * query of `work` pipelined: they travel in one round trip (postgres.js's own `begin` waits for
 * BEGIN's answer first). The commit is the only other round trip a single-query request pays.
 */
async function transaction<T>(
  db: Sql,
  setup: (tx: Tx) => postgres.PendingQuery<postgres.Row[]>,
  work: (tx: Tx) => Promise<T>,
) {
  const tx = await reserveWithin(db);
  let finished = false;
  let lost = false;
  const noteLoss = (error: unknown) => {
    lost ||= isConnectionError(error);
    throw error;
  };
  try {
    const begun = tx`begin`.execute();
    const configured = setup(tx).execute();
    // Both are awaited below, but only after the work settles: marked handled now, so that a setup
    // that fails (a deleted account) before then is not an unhandled rejection that ends the isolate.
    for (const step of [begun, configured]) step.catch(() => {});
    // A failed begin or setup makes the work's queries fail too; report the first cause.
    const result = await work(tx).catch(async (error) => {
      await begun;
      await configured;
      throw error;
    }).catch(noteLoss);
    await Promise.all([begun, configured]);
    await tx`commit`.catch(noteLoss);
    finished = true;
    return result;
  } finally {
    // A connection the server dropped is left to the pool, which reconnects it: a query sent on it
    // would never be answered (postgres.js writes to its closed socket), and releasing it would
    // hand that dead connection to the next request.
    if (!lost) {
      if (!finished) await tx`rollback`.catch(() => {});
      tx.release();
    }
  }
}

/** SQLSTATE of private.assert_live_user: the token's user was deleted since it was issued. */
const ACCOUNT_GONE = "28000";

function refuseDeletedAccount(error: unknown): never {
  if (error instanceof postgres.PostgresError && error.code === ACCOUNT_GONE) {
    throw new ApiError(401, "invalid_token", error.message);
  }
  throw error;
}

/**
 * Runs `work` in a transaction as the user the claims describe (RLS applies, as through PostgREST).
 * A token whose user no longer exists is refused with a 401 (private.assume_user checks it).
 */
export function asUser<T>(claims: UserClaims, work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return transaction(db, (tx) => tx`select private.assume_user(${JSON.stringify(claims)})`, work)
    .catch(refuseDeletedAccount);
}

/** {@link asService} for a request made by `userId`: refused with a 401 when that user no longer exists. */
export function asServiceFor<T>(userId: string, work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return transaction(db, (tx) => tx`select private.assume_service_for(${userId})`, work)
    .catch(refuseDeletedAccount);
}

/** Runs `work` in a transaction with the service role (RLS bypassed): for trusted server paths only. */
export function asService<T>(work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return transaction(db, (tx) => tx`select set_config('role', 'service_role', true)`, work);
}
