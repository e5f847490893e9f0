/**
 * The isolate's database: at most DB_POOL_MAX connections (one-connection postgres.js clients lent by
 * ./pool.ts), each serving one transaction or one statement at a time, so that isolates × DB_POOL_MAX
 * bounds what the functions open. Every request that acts for a user runs in one transaction that
 * first does what PostgREST does (role + `request.jwt.claims`, transaction local), so the RLS
 * policies are the real guard; the queue's calls run as single statements ({@link autocommit}).
 *
 * The functions connect to DB_POOLER_URL when it is set (Supabase's transaction pooler), else to
 * SUPABASE_DB_URL. A transaction pooler hands a server connection to one transaction at a time, so
 * prepared statements are off there: when DB_POOLER_URL is used, and for any URL on port 6543
 * (Supavisor's and the dedicated pooler's transaction mode). A direct connection keeps them. Without
 * them postgres.js describes each statement that has parameters before binding it, a round trip
 * more each: the pipelines below stay correct but take several round trips (bench/README.md).
 * @module
 */
import postgres from "postgres";
import { bindWithoutDescribing } from "./bind-without-describe.ts";
import { config } from "../config/env.ts";
import { ApiError } from "../errors/api-error.ts";
import { guardPostgresJsFailures } from "./connection-errors.ts";
import { ConnectionPool } from "./pool.ts";
import { promptWrites } from "./prompt-writes.ts";
import { timestamptz } from "./timestamps.ts";

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

/**
 * Connections to one database, lent to one transaction or statement at a time. Not a client: it
 * runs nothing itself, so every query goes through {@link asUser}, {@link asService},
 * {@link autocommit} and the readers, within the bound.
 */
export interface Database {
  /** Closes every connection, waiting up to `timeout` seconds for the work they still run. */
  end(options?: { timeout?: number }): Promise<void>;
}

/** postgres.js options, and whether the URL is a transaction pooler's (prepared statements off). */
export type DatabaseOptions = postgres.Options<Record<string, never>> & { transactionPooler?: boolean };

let isolateDatabase: Database | undefined;

/** The isolate's database (DB_POOLER_URL or SUPABASE_DB_URL, DB_POOL_MAX connections at most). */
export function database(): Database {
  const { dbUrl, dbPoolMax, dbTransactionPooler } = config();
  isolateDatabase ??= createDatabase(dbUrl, { max: dbPoolMax, transactionPooler: dbTransactionPooler });
  return isolateDatabase;
}

/** The connections behind each Database. */
const pools = new WeakMap<Database, ConnectionPool>();

/**
 * The settings of the database's connections: `max` of them (default 10), closed after `idle_timeout`
 * seconds idle (default 20); prepared statements off behind a transaction pooler (`transactionPooler`,
 * or a URL on port 6543).
 */
export function connectionSettings(url: string, options: DatabaseOptions = {}) {
  const { transactionPooler = false, ...clientOptions } = options;
  const pooled = transactionPooler || new URL(url).port === "6543";
  return {
    max: 10,
    idle_timeout: 20,
    // A request waits this long at most for a connection (then 503), e.g. while Postgres restarts.
    connect_timeout: 5,
    prepare: !pooled,
    onnotice: () => {},
    transform: { undefined: null },
    types: { timestamptz },
    ...clientOptions,
  };
}

/** Up to `max` one-connection clients (see {@link connectionSettings}), opened as they are needed. */
export function createDatabase(url: string, options: DatabaseOptions = {}): Database {
  guardPostgresJsFailures();
  promptWrites();
  const settings = connectionSettings(url, options);
  const connect = (onclose: () => void) =>
    postgres(url, { ...settings, max: 1, idle_timeout: 0, max_lifetime: 0, onclose });
  const pool = new ConnectionPool(
    (onclose) => {
      const client = connect(onclose);
      if (!settings.prepare) bindWithoutDescribing(client);
      return client;
    },
    { size: settings.max, idleMs: (settings.idle_timeout || 20) * 1000 },
  );
  const db: Database = { end: (endOptions) => pool.end(endOptions) };
  pools.set(db, pool);
  return db;
}

/**
 * Starts connecting the isolate's database at boot, so that the first request finds its connection made
 * or on its way while the isolate still loads what that request needs (a connection's handshake through
 * the pooler is several round trips and a password proof: ~25–40 ms of a fresh isolate's first request).
 */
export function warmDatabase(): void {
  poolOf(database()).warm();
}

/** How long a request waits for a connection before it is answered 503. */
const CONNECTION_WAIT_MS = 5_000;

function poolOf(db: Database): ConnectionPool {
  const pool = pools.get(db);
  if (!pool) throw new Error("Queries need a database made by createDatabase.");
  return pool;
}

/**
 * The statement that makes a transaction act for its caller (role and claims, transaction local). It
 * carries no parameters: it goes out with `begin` as one simple-protocol message ({@link opening}).
 */
type Setup = string;

/**
 * `begin` and the setup as one simple-protocol message: one message each way instead of two
 * extended-protocol exchanges (parse, bind, describe, execute, sync), less for the driver, the pooler
 * and Postgres to handle on every request. A refused setup fails it, and what follows in the
 * transaction fails after it.
 */
const opening = (tx: Tx, setup: Setup) => tx.unsafe(`begin; ${setup}`).simple();
const closing = (tx: Tx) => tx.unsafe("commit").simple();

/**
 * One transaction on a connection of its own, with its opening and the first query of `work`
 * pipelined: they travel in one round trip (postgres.js's own `begin` waits for BEGIN's answer
 * first). The commit is the only other round trip a single-query request pays.
 */
async function transaction<T>(db: Database, setup: Setup, work: (tx: Tx) => Promise<T>) {
  const pool = poolOf(db);
  const connection = await pool.acquire(CONNECTION_WAIT_MS);
  const tx = connection as Tx;
  let finished = false;
  try {
    const opened = opening(tx, setup).execute();
    // Awaited below, but only after the work settles: marked handled now, so that an opening that
    // fails (a deleted account) before then is not an unhandled rejection that ends the isolate.
    opened.catch(() => {});
    // A failed opening makes the work's queries fail too; report the first cause.
    const result = await work(tx).catch(async (error) => {
      await opened;
      throw error;
    });
    await opened;
    await closing(tx);
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
 * A transaction of one statement: its opening, the statement and `commit` go out together and come
 * back in one round trip, so a one-statement read costs what a bare query does. A failing statement
 * leaves the transaction aborted, which `commit` then ends as a rollback.
 */
async function oneStatement<T extends readonly postgres.Row[]>(
  db: Database,
  setup: Setup,
  statement: Statement<T>,
): Promise<T> {
  const pool = poolOf(db);
  const connection = await pool.acquire(CONNECTION_WAIT_MS);
  const tx = connection as Tx;
  try {
    const steps = [opening(tx, setup), statement(tx), closing(tx)].map((query) => query.execute());
    const settled = await Promise.allSettled(steps);
    // The first failure is the cause: a refused opening makes the statement fail too.
    const failure = settled.find((step) => step.status === "rejected");
    if (failure) throw failure.reason;
    return (settled[1] as PromiseFulfilledResult<T>).value;
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

/**
 * `text` as a dollar-quoted literal, with a tag it does not contain: no character of it is special
 * inside, whatever the session's string settings.
 */
export function dollarQuoted(text: string): string {
  let tag = "c";
  while (text.includes(`$${tag}$`)) tag += "c";
  return `$${tag}$${text}$${tag}$`;
}

/**
 * The claims travel inside the statement, not as a parameter: the opening is a simple-protocol
 * message, which has none.
 */
const assumeUser = (claims: Claims): Setup =>
  `select private.assume_user(${dollarQuoted(JSON.stringify(claims))})`;

/**
 * Runs `work` in a transaction as the user the claims describe (RLS applies, as through PostgREST).
 * A token whose user no longer exists is refused with a 401 (private.assume_user checks it).
 */
export function asUser<T>(
  claims: Claims,
  work: (tx: Tx) => Promise<T>,
  db: Database = database(),
): Promise<T> {
  return transaction(db, assumeUser(claims), work).catch(refuseDeletedAccount);
}

/** Transactions as the user the claims describe, for services that open several ({@link asUser} each). */
export const withUser = (claims: Claims, db: Database = database()): WithUser => (work) =>
  asUser(claims, work, db);

/** Runs single statements: each in a transaction of its own ({@link userReader}) or in one ({@link txReader}). */
export type Reader = <T extends readonly postgres.Row[]>(statement: Statement<T>) => Promise<T>;

/** A reader whose statements run in `tx`, the caller's transaction. */
export const txReader = (tx: Tx): Reader => (statement) => statement(tx);

/**
 * One statement as the user the claims describe, in a transaction of its own that costs one round
 * trip (RLS applies, a deleted user's token is refused): for reads that need a single statement.
 */
export function userReader(claims: Claims, db: Database = database()): Reader {
  return (statement) => oneStatement(db, assumeUser(claims), statement).catch(refuseDeletedAccount);
}

/** {@link asService} for a request made by `userId`: refused with a 401 when that user no longer exists. */
export function asServiceFor<T>(
  userId: string,
  work: (tx: Tx) => Promise<T>,
  db: Database = database(),
): Promise<T> {
  const setup = `select private.assume_service_for(${dollarQuoted(userId)}::uuid)`;
  return transaction(db, setup, work).catch(refuseDeletedAccount);
}

const assumeService: Setup = "select set_config('role', 'service_role', true)";

/** Runs `work` in a transaction with the service role (RLS bypassed): for trusted server paths only. */
export function asService<T>(work: (tx: Tx) => Promise<T>, db: Database = database()): Promise<T> {
  return transaction(db, assumeService, work);
}

/** {@link userReader} with the service role: one statement, one round trip, RLS bypassed. */
export function serviceReader(db: Database = database()): Reader {
  return (statement) => oneStatement(db, assumeService, statement);
}

/**
 * One statement on its own (autocommit) on a connection of the pool, as the role the functions log
 * in as (the database owner: RLS bypassed, no claims): for the queue's security-definer calls,
 * which need no role switch (shared/queue/queue.ts). One round trip.
 */
export async function autocommit<T extends readonly postgres.Row[]>(
  statement: (connection: postgres.Sql) => postgres.PendingQuery<T>,
  db: Database = database(),
): Promise<T> {
  const pool = poolOf(db);
  const connection = await pool.acquire(CONNECTION_WAIT_MS);
  try {
    return await statement(connection);
  } finally {
    pool.release(connection);
  }
}
