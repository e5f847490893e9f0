/**
 * Connections for transactions and statements: up to `size` postgres.js clients of one connection
 * each, lent out for one transaction (or statement) at a time, first come first served.
 *
 * Not postgres.js's own `reserve()`: in 3.4.9 a reservation queued while a connection closes (an
 * idle one timing out, or one the server ended) is handed to that connection's reconnect, which
 * drops it, and the connection never serves a reservation again (porsager/postgres#1195). Found by
 * bench/chats-ratio.ts as a request answered 503 after 5 s when traffic resumed after 20 s of quiet;
 * each such race took one connection out of the pool for good.
 *
 * A client whose connection closes is ended at once and replaced: what its transaction still had
 * queued fails instead of waiting for a reconnect and then running outside the transaction,
 * without its role (see porsager/postgres#1155). So that only a lost connection closes, the pool
 * closes idle connections itself (taking them out first); its clients have no idle timeout or
 * lifetime of their own. While Postgres is down, a wait for a connection ends with an error after
 * `ms` (proof/faults.ts).
 *
 * A new connection is lent only once it is made (after a first `select 1`): what a transaction sends
 * then goes out on that connection at once. Sent while it is still being made, postgres.js would
 * queue it on the client, and a connection that closes during its making (a pooler that logs the
 * client in, then finds the database down and closes) is reopened for that queue: the reopened
 * socket outlived the ended client, and a pooler filled up with them (max_client_conn, found by
 * proof/faults.ts through PgBouncer).
 * @module
 */
import type postgres from "postgres";

export interface PoolOptions {
  /** Connections at most. */
  size: number;
  /** An idle connection is closed after this long. */
  idleMs: number;
}

interface Idle {
  connection: postgres.Sql;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiter {
  grant(connection: postgres.Sql): void;
  fail(error: unknown): void;
}

export class ConnectionPool {
  readonly #connect: (onclose: () => void) => postgres.Sql;
  readonly #options: PoolOptions;
  readonly #open = new Set<postgres.Sql>();
  readonly #idle: Idle[] = [];
  readonly #waiting: Waiter[] = [];
  /** The connection {@link warm} is making, until it is made or a transaction takes it. */
  #warming: Promise<postgres.Sql | undefined> | undefined;

  /** `connect` makes a client of one connection (connecting on its first query) that calls `onclose`. */
  constructor(connect: (onclose: () => void) => postgres.Sql, options: PoolOptions) {
    this.#connect = connect;
    this.#options = options;
  }

  /** A connection of its own for one transaction (give it back with `release`), or CONNECT_TIMEOUT after `ms`. */
  acquire(ms: number): Promise<postgres.Sql> {
    const idle = this.#idle.pop();
    if (idle) {
      clearTimeout(idle.timer);
      return Promise.resolve(idle.connection);
    }
    const warming = this.#warming;
    if (warming) {
      this.#warming = undefined;
      return warming.then((connection) => connection ?? this.acquire(ms));
    }
    if (this.#open.size < this.#options.size) return this.#openConnection();
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: (connection) => {
          clearTimeout(timer);
          resolve(connection);
        },
        fail: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      };
      const timer = setTimeout(() => {
        this.#waiting.splice(this.#waiting.indexOf(waiter), 1);
        const error = new Error(`No database connection within ${ms} ms.`);
        reject(Object.assign(error, { code: "CONNECT_TIMEOUT" }));
      }, ms);
      this.#waiting.push(waiter);
    });
  }

  /**
   * Starts making a connection before any transaction asks for one (none open yet): the first one takes
   * it, made or half made, instead of starting its own. A failure to make it is left to that transaction
   * to meet with a connection of its own.
   */
  warm(): void {
    if (this.#open.size > 0 || this.#warming) return;
    const warming = this.#openConnection().catch(() => undefined);
    this.#warming = warming;
    void warming.then((connection) => {
      if (this.#warming !== warming) return; // a transaction took it
      this.#warming = undefined;
      if (connection) this.release(connection);
    });
  }

  /** Gives the connection to the longest waiter, else keeps it a while for the next transaction. */
  release(connection: postgres.Sql): void {
    if (!this.#open.has(connection)) return; // lost meanwhile: already ended and replaced
    const next = this.#waiting.shift();
    if (next) return next.grant(connection);
    const timer = setTimeout(() => this.#discard(connection), this.#options.idleMs);
    Deno.unrefTimer(timer);
    this.#idle.push({ connection, timer });
  }

  async end(options?: { timeout?: number }): Promise<void> {
    for (const idle of this.#idle) clearTimeout(idle.timer);
    await Promise.all([...this.#open].map((connection) => connection.end(options)));
  }

  /** A new connection, lent once it is made (see the module's comment); a failure to make it is thrown. */
  async #openConnection(): Promise<postgres.Sql> {
    const connection: postgres.Sql = this.#connect(() => this.#discard(connection, { replace: true }));
    this.#open.add(connection);
    try {
      await connection`select 1`;
    } catch (error) {
      this.#discard(connection);
      throw error;
    }
    return connection;
  }

  /** Ends a connection (at once when it was lost, failing what it still had queued). */
  #discard(connection: postgres.Sql, { replace = false } = {}): void {
    if (!this.#open.delete(connection)) return;
    const idle = this.#idle.findIndex((entry) => entry.connection === connection);
    if (idle >= 0) clearTimeout(this.#idle.splice(idle, 1)[0].timer);
    void connection.end({ timeout: replace ? 0 : 5 });
    // A transaction waiting for a connection gets the replacement, or the reason there is none.
    const next = replace && this.#waiting.shift();
    if (next) this.#openConnection().then(next.grant, next.fail);
  }
}
