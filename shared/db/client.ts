/**
 * One postgres.js client per isolate, from SUPABASE_DB_URL. Every request that acts for a user runs
 * in one transaction that first does what PostgREST does (role + `request.jwt.claims`, transaction
 * local), so the RLS policies are the real guard. Transactions run on connections lent by
 * ./pool.ts (one-connection clients), statements on their own on the client itself.
 *
 * Against Supabase's transaction pooler (port 6543) prepared statements are unavailable, so
 * `prepare` is off there; a direct connection (5432, or the local stack) keeps them.
 * @module
 */
import postgres from "postgres";
import { config } from "../config/env.ts";
import { ApiError } from "../errors/api-error.ts";
import { guardDeadSocketWrites } from "./connection-errors.ts";
import { ConnectionPool } from "./pool.ts";
import { timestamptz } from "./timestamps.ts";

export type Sql = postgres.Sql;

declare const inTransaction: unique symbol;
/**
 * A connection inside one of {@link asUser} / {@link asService}'s transactions. Branded: a plain
 * client (which runs as the database owner, RLS bypassed) cannot be passed where a Tx is asked for.
 */
export type Tx = postgres.Sql & { readonly [inTransaction]: true };

/** The verified JWT claims a request acts with, as PostgREST hands them to Postgres. */
export interface Claims {
  sub: string;
  [claim: string]: unknown;
}

/** Runs work in one transaction as one user (see {@link withUser}). */
export type WithUser = <T>(work: (tx: Tx) => Promise<T>) => Promise<T>;

let client: Sql | undefined;

/** The isolate's client; small pool, short idle time, as suits an edge function. */
export function sql(): Sql {
  client ??= createClient(config().dbUrl, { max: config().dbPoolMax });
  return client;
}

/** The connections each client lends to transactions (see ConnectionPool: not postgres.js's `reserve()`). */
const transactionPools = new WeakMap<Sql, ConnectionPool>();

/**
 * A client for statements on their own, and beside it as many one-connection clients for
 * transactions ({@link asUser}, {@link asService}), opened as they are needed.
 */
export function createClient(url: string, options: postgres.Options<Record<string, never>> = {}): Sql {
  const pooled = new URL(url).port === "6543";
  guardDeadSocketWrites();
  const settings = {
    max: 10,
    idle_timeout: 20,
    // A request waits this long at most for a connection (then 503), e.g. while Postgres restarts.
    connect_timeout: 5,
    prepare: !pooled,
    onnotice: () => {},
    transform: { undefined: null },
    types: { timestamptz },
    ...options,
  };
  const client = postgres(url, settings);
  const pool = new ConnectionPool(
    (onclose) => postgres(url, { ...settings, max: 1, idle_timeout: 0, max_lifetime: 0, onclose }),
    { size: settings.max, idleMs: (settings.idle_timeout || 20) * 1000 },
  );
  transactionPools.set(client, pool);
  const end = client.end.bind(client);
  client.end = async (endOptions) => void await Promise.all([end(endOptions), pool.end(endOptions)]);
  return client;
}

/** How long a request waits for a connection before it is answered 503. */
const CONNECTION_WAIT_MS = 5_000;

function poolOf(db: Sql): ConnectionPool {
  const pool = transactionPools.get(db);
  if (!pool) throw new Error("Transactions need a client made by createClient.");
  return pool;
}

/**
 * One transaction on a connection of its own, with `begin`, the role/claims statement and the first
 * query of `work` pipelined: they travel in one round trip (postgres.js's own `begin` waits for
 * BEGIN's answer first). The commit is the only other round trip a single-query request pays.
 */
async function transaction<T>(
  db: Sql,
  setup: (tx: Tx) => postgres.PendingQuery<postgres.Row[]>,
  work: (tx: Tx) => Promise<T>,
) {
  const pool = poolOf(db);
  const connection = await pool.acquire(CONNECTION_WAIT_MS);
  const tx = connection as Tx;
  let finished = false;
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
    });
    await Promise.all([begun, configured]);
    await tx`commit`;
    finished = true;
    return result;
  } finally {
    if (!finished) await tx`rollback`.catch(() => {});
    pool.release(connection);
  }
}

/** One statement, not yet sent (a postgres.js query that has not been awaited). */
export type Statement<T extends readonly postgres.Row[]> = (tx: Tx) => postgres.PendingQuery<T>;

/**
 * A transaction of one statement: `begin`, the role/claims statement, the statement and `commit` go
 * out together and come back in one round trip, so a one-statement read costs what a bare query does.
 * A failing statement leaves the transaction aborted, which `commit` then ends as a rollback.
 */
async function oneStatement<T extends readonly postgres.Row[]>(
  db: Sql,
  setup: (tx: Tx) => postgres.PendingQuery<postgres.Row[]>,
  statement: Statement<T>,
): Promise<T> {
  const pool = poolOf(db);
  const connection = await pool.acquire(CONNECTION_WAIT_MS);
  const tx = connection as Tx;
  try {
    const steps = [tx`begin`, setup(tx), statement(tx), tx`commit`].map((query) => query.execute());
    const settled = await Promise.allSettled(steps);
    // The first failure is the cause: a refused setup makes the statement fail too.
    const failure = settled.find((step) => step.status === "rejected");
    if (failure) throw failure.reason;
    return (settled[2] as PromiseFulfilledResult<T>).value;
  } finally {
    pool.release(connection);
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

const assumeUser = (claims: Claims) => (tx: Tx) => tx`select private.assume_user(${JSON.stringify(claims)})`;

/**
 * Runs `work` in a transaction as the user the claims describe (RLS applies, as through PostgREST).
 * A token whose user no longer exists is refused with a 401 (private.assume_user checks it).
 */
export function asUser<T>(claims: Claims, work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return transaction(db, assumeUser(claims), work).catch(refuseDeletedAccount);
}

/** Transactions as the user the claims describe, for services that open several ({@link asUser} each). */
export const withUser = (claims: Claims, db: Sql = sql()): WithUser => (work) => asUser(claims, work, db);

/** Runs single statements: each in a transaction of its own ({@link userReader}) or in one ({@link txReader}). */
export type Reader = <T extends readonly postgres.Row[]>(statement: Statement<T>) => Promise<T>;

/** A reader whose statements run in `tx`, the caller's transaction. */
export const txReader = (tx: Tx): Reader => (statement) => statement(tx);

/**
 * One statement as the user the claims describe, in a transaction of its own that costs one round
 * trip (RLS applies, a deleted user's token is refused): for reads that need a single statement.
 */
export function userReader(claims: Claims, db: Sql = sql()): Reader {
  return (statement) => oneStatement(db, assumeUser(claims), statement).catch(refuseDeletedAccount);
}

/** {@link asService} for a request made by `userId`: refused with a 401 when that user no longer exists. */
export function asServiceFor<T>(userId: string, work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return transaction(db, (tx) => tx`select private.assume_service_for(${userId})`, work)
    .catch(refuseDeletedAccount);
}

const assumeService = (tx: Tx) => tx`select set_config('role', 'service_role', true)`;

/** Runs `work` in a transaction with the service role (RLS bypassed): for trusted server paths only. */
export function asService<T>(work: (tx: Tx) => Promise<T>, db: Sql = sql()): Promise<T> {
  return transaction(db, assumeService, work);
}

/** {@link userReader} with the service role: one statement, one round trip, RLS bypassed. */
export function serviceReader(db: Sql = sql()): Reader {
  return (statement) => oneStatement(db, assumeService, statement);
}
