/**
 * The pg_net stand-in's background worker: performs the requests queued in net.http_request_queue
 * and records the outcome in net._http_response.
 *
 * Wake-ups come from LISTEN pg_net_wake (net.wake() notifies, delivered on commit) and from a slow
 * poll that also drains leftovers at startup. Delivery is at-least-once, where pg_net itself is
 * at-most-once (it deletes the queue row before sending): a queue row is deleted only in the
 * transaction that records its response, so a request whose response was not recorded yet when the
 * stack stopped or died is sent again on the next start. Rows being sent are kept in memory; an
 * advisory lock makes sure only one dispatcher per database sends, so that list is the whole truth.
 * @module
 */
import postgres from "postgres";
import type { StackConfig } from "../config.ts";
import { Abandoned, performRequest, type QueuedRequest, type RequestOutcome } from "./http.ts";
import { deleteExpiredResponses, nextRequests, recordOutcomes, tryLockDispatcher } from "./queue.ts";

/** The running dispatcher. */
export interface Dispatcher {
  /** Stops taking requests, lets in-flight ones finish briefly, abandons the rest (sent again next start). */
  stop(): Promise<void>;
}

/** pg_net.batch_size's default. */
const BATCH_SIZE = 200;
const MAX_IN_FLIGHT = 1000;
const POLL_INTERVAL_MS = 1000;
const EXPIRY_SWEEP_INTERVAL_MS = 60_000;
const STOP_GRACE_MS = 1000;
const WAKE_CHANNEL = "pg_net_wake";

function log(message: string, error?: unknown) {
  console.error(`net dispatcher: ${message}`, error instanceof Error ? error.message : error ?? "");
}

function delay(ms: number): { promise: Promise<void>; cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const promise = new Promise<void>((resolve) => timer = setTimeout(resolve, ms));
  return { promise, cancel: () => clearTimeout(timer) };
}

class NetDispatcher implements Dispatcher {
  readonly #sql: postgres.Sql;
  /** Set when stop() begins: no new sends. */
  #closing = false;
  /** Aborted when the stop grace ends: unfinished sends are abandoned. */
  readonly #stopping = new AbortController();
  /** Request id -> its send; an id leaves only once its outcome is committed. */
  readonly #inFlight = new Map<string, Promise<void>>();
  #unrecorded: RequestOutcome[] = [];
  #lockConnection: postgres.ReservedSql | null = null;
  #locked = false;
  #toldLockIsTaken = false;
  #draining = false;
  #wakeAgain = false;
  #recording: Promise<void> | null = null;
  #recordAgain = false;
  #lastSweep = 0;
  #poll: ReturnType<typeof setInterval> | undefined;
  #listening: Promise<postgres.ListenMeta | void> | null = null;

  constructor(sql: postgres.Sql) {
    this.#sql = sql;
  }

  start(): void {
    // onlisten runs on every (re)connect: anything queued while not listening gets picked up.
    this.#listening = this.#sql.listen(WAKE_CHANNEL, () => this.#wake(), () => this.#wake())
      .catch((error) => log("LISTEN failed, relying on the poll", error));
    this.#poll = setInterval(() => this.#tick(), POLL_INTERVAL_MS);
    this.#tick();
  }

  #tick(): void {
    this.#wake();
    if (this.#unrecorded.length > 0) void this.#record();
    if (Date.now() - this.#lastSweep > EXPIRY_SWEEP_INTERVAL_MS) {
      this.#lastSweep = Date.now();
      deleteExpiredResponses(this.#sql).catch((error) => log("deleting expired responses failed", error));
    }
  }

  /** Runs one drain at a time; a wake-up during a drain makes it run once more. */
  #wake(): void {
    if (this.#closing) return;
    if (this.#draining) {
      this.#wakeAgain = true;
      return;
    }
    this.#draining = true;
    this.#drain()
      .catch((error) => log("reading the queue failed", error))
      .finally(() => {
        this.#draining = false;
        if (this.#wakeAgain) {
          this.#wakeAgain = false;
          this.#wake();
        }
      });
  }

  async #drain(): Promise<void> {
    if (!await this.#holdsLock()) return;
    while (!this.#closing) {
      const room = Math.min(BATCH_SIZE, MAX_IN_FLIGHT - this.#inFlight.size);
      // When full, each recorded batch wakes the dispatcher again.
      if (room <= 0) return;
      const requests = await nextRequests(this.#sql, this.#inFlight.keys(), room);
      for (const request of requests) this.#send(request);
      if (requests.length < room) return;
    }
  }

  async #holdsLock(): Promise<boolean> {
    if (this.#locked) return true;
    this.#lockConnection ??= await this.#sql.reserve();
    this.#locked = await tryLockDispatcher(this.#lockConnection);
    if (!this.#locked && !this.#toldLockIsTaken) {
      this.#toldLockIsTaken = true;
      log("another dispatcher holds the lock on this database; waiting for it");
    }
    return this.#locked;
  }

  #send(request: QueuedRequest): void {
    if (this.#closing) return;
    const sending = performRequest(request, this.#stopping.signal).then(
      (outcome) => {
        this.#unrecorded.push(outcome);
        void this.#record();
      },
      (error) => {
        this.#inFlight.delete(request.id);
        if (!(error instanceof Abandoned)) log(`request ${request.id} failed unexpectedly`, error);
      },
    );
    this.#inFlight.set(request.id, sending);
  }

  /** Writes the finished outcomes, one transaction at a time; outcomes arriving meanwhile go in the next. */
  #record(): Promise<void> {
    if (this.#recording) {
      this.#recordAgain = true;
      return this.#recording;
    }
    this.#recording = this.#recordAll().finally(() => this.#recording = null);
    return this.#recording;
  }

  async #recordAll(): Promise<void> {
    do {
      this.#recordAgain = false;
      const outcomes = this.#unrecorded;
      this.#unrecorded = [];
      try {
        await recordOutcomes(this.#sql, outcomes);
      } catch (error) {
        this.#unrecorded.unshift(...outcomes);
        log(`recording ${outcomes.length} responses failed; retrying on the next poll`, error);
        return;
      }
      const wasFull = this.#inFlight.size >= MAX_IN_FLIGHT;
      for (const outcome of outcomes) this.#inFlight.delete(outcome.id);
      if (wasFull) this.#wake();
    } while (this.#recordAgain || this.#unrecorded.length > 0);
  }

  async stop(): Promise<void> {
    this.#closing = true;
    clearInterval(this.#poll);
    const listening = await this.#listening;
    await listening?.unlisten().catch(() => {});
    const grace = delay(STOP_GRACE_MS);
    await Promise.race([Promise.allSettled(this.#inFlight.values()), grace.promise]);
    grace.cancel();
    this.#stopping.abort();
    await Promise.allSettled(this.#inFlight.values());
    await this.#recording;
    await this.#record();
    this.#lockConnection?.release();
    await this.#sql.end({ timeout: 5 });
  }
}

/** Starts dispatching as the platform role (config.adminDbUrl). */
export function startDispatcher(config: StackConfig): Dispatcher {
  const sql = postgres(config.adminDbUrl, { max: 4, onnotice: () => {} });
  const dispatcher = new NetDispatcher(sql);
  dispatcher.start();
  return dispatcher;
}
