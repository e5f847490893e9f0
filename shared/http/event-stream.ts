/**
 * A `text/event-stream` body written one event at a time, that never throws at the writer. A
 * writer that awaits `ready()` goes at the client's pace while the client reads (so a fast producer
 * does not pile events up in memory), and at its own pace once the client has hung up or stalled:
 * the work producing the events (a reply being generated) always gets to its end.
 *
 * Each event is an optional `id: <id>` (a position to resume from: a reply's deltas carry the length
 * of the text so far), `event: <type>` and one `data:` line of JSON.
 * While nothing is written for `heartbeatMs`, a comment line keeps proxies and mobile networks from
 * closing an idle connection.
 * @module
 */
import { config } from "../config/env.ts";

/** Response headers of an event stream (no proxy buffering, no caching). */
export const EVENT_STREAM_HEADERS: Record<string, string> = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  "x-accel-buffering": "no",
};

/** Unread bytes above which `ready()` waits for the client to catch up. */
export const READY_BYTES = 64 * 1024;
/** Unread bytes at which the client is treated as gone, whether or not the writer awaits `ready()`. */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;
/** How long `ready()` waits for a client that reads nothing before treating it as gone. */
export const MAX_STALL_MS = 30_000;

export interface EventStreamOptions {
  /** Silence after which a `: keep-alive` comment is written (default: CHAT_STREAM_HEARTBEAT_SECONDS). */
  heartbeatMs?: number;
  maxUnreadBytes?: number;
  maxStallMs?: number;
}

const encoder = new TextEncoder();

/** An SSE body: `send` events, `close` at the end; `body` goes in the response. */
export class EventStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly #heartbeatMs: number;
  readonly #maxUnreadBytes: number;
  readonly #maxStallMs: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #heartbeat: ReturnType<typeof setTimeout> | undefined;
  #caughtUp:
    | { promise: Promise<void>; resolve: () => void; stall: ReturnType<typeof setTimeout> }
    | undefined;

  constructor(options: EventStreamOptions = {}) {
    this.#heartbeatMs = options.heartbeatMs ?? config().streamHeartbeatMs;
    this.#maxUnreadBytes = options.maxUnreadBytes ?? MAX_UNREAD_BYTES;
    this.#maxStallMs = options.maxStallMs ?? MAX_STALL_MS;
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        this.#armHeartbeat();
      },
      // Called when the client has read the queue below READY_BYTES.
      pull: () => this.#release(),
      cancel: () => this.#stop(),
    }, { highWaterMark: READY_BYTES, size: (chunk) => chunk.byteLength });
  }

  /** Whether the client is still there (false after it hung up or the stream was closed). */
  get open(): boolean {
    return this.#open;
  }

  /** Writes one event (with `id` when given); does nothing once the client is gone. */
  send(event: string, data: unknown, id?: string | number): void {
    const idLine = id === undefined ? "" : `id: ${id}\n`;
    this.#write(`${idLine}event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /**
   * Resolves once the client has read enough of what was sent, or at once when it is gone. A client
   * that reads nothing for `maxStallMs` is let go, so awaiting this never stops the writer for good.
   */
  ready(): Promise<void> {
    if (!this.#open || (this.#controller.desiredSize ?? 0) > 0) return Promise.resolve();
    if (!this.#caughtUp) {
      const { promise, resolve } = Promise.withResolvers<void>();
      const stall = setTimeout(
        () => this.#drop("The client stopped reading the event stream."),
        this.#maxStallMs,
      );
      this.#caughtUp = { promise, resolve, stall };
    }
    return this.#caughtUp.promise;
  }

  /** Ends the stream (the last event has been sent). */
  close(): void {
    if (!this.#open) return;
    this.#stop();
    this.#controller.close();
  }

  #write(text: string): void {
    if (!this.#open) return;
    if (READY_BYTES - (this.#controller.desiredSize ?? 0) > this.#maxUnreadBytes) {
      this.#drop("The client fell too far behind the event stream.");
      return;
    }
    this.#controller.enqueue(encoder.encode(text));
    this.#armHeartbeat();
  }

  #armHeartbeat(): void {
    clearTimeout(this.#heartbeat);
    this.#heartbeat = setTimeout(() => this.#write(": keep-alive\n\n"), this.#heartbeatMs);
  }

  #release(): void {
    if (!this.#caughtUp) return;
    clearTimeout(this.#caughtUp.stall);
    this.#caughtUp.resolve();
    this.#caughtUp = undefined;
  }

  #drop(reason: string): void {
    if (!this.#open) return;
    this.#stop();
    this.#controller.error(new Error(reason));
  }

  #stop(): void {
    this.#open = false;
    clearTimeout(this.#heartbeat);
    this.#release();
  }
}
