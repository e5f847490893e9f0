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
/** Size of the buffers events are encoded into, in turn (chunks of the body are views of them). */
const SLAB_BYTES = 16 * 1024;
/** The body's queue asks for more as soon as it is empty (its size counts bytes). */
const QUEUE_MARK = 1;
const RESOLVED = Promise.resolve();

/**
 * Encoded events not yet handed to the body: encoded in turn into one buffer, and taken as one view
 * of all the bytes written since the last take. So the events written while the body's reader was
 * busy go as one chunk, and no event gets a buffer (native memory) of its own. A reader that
 * transfers a chunk's buffer (none of Deno's do) only costs the bytes not taken yet.
 */
class PendingBytes {
  #slab = new Uint8Array(SLAB_BYTES);
  #start = 0;
  #end = 0;

  get size(): number {
    return this.#end - this.#start;
  }

  /** Encodes `text` after the pending bytes; false (nothing written) when it may not fit. */
  append(text: string): boolean {
    if (this.#slab.byteLength === 0) this.renew(); // transferred by a reader
    if (text.length * 3 > this.#slab.byteLength - this.#end) return false;
    this.#end += encoder.encodeInto(text, this.#slab.subarray(this.#end)).written;
    return true;
  }

  /** The pending bytes as one chunk (a view: the buffer is never written there again). */
  take(): Uint8Array {
    const chunk = this.#slab.subarray(this.#start, this.#end);
    this.#start = this.#end;
    return chunk;
  }

  /** Goes on in a new buffer; call once the pending bytes are taken. */
  renew(): void {
    this.#slab = new Uint8Array(SLAB_BYTES);
    this.#start = this.#end = 0;
  }
}

/** An SSE body: `send` events, `close` at the end; `body` goes in the response. */
export class EventStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly #heartbeatMs: number;
  readonly #maxUnreadBytes: number;
  readonly #maxStallMs: number;
  readonly #pending = new PendingBytes();
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  /** Whether the body's queue is empty: the next event is handed over at once. */
  #queueEmpty = false;
  #lastWrite = performance.now();
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
        this.#armHeartbeat(this.#heartbeatMs);
      },
      // Called whenever the client has read everything handed over.
      pull: () => this.#pull(),
      cancel: () => this.#stop(),
    }, { highWaterMark: QUEUE_MARK, size: (chunk) => chunk.byteLength });
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
    if (!this.#open || this.#unread() < READY_BYTES) return RESOLVED;
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
    this.#handOver();
    this.#stop();
    this.#controller.close();
  }

  #write(text: string): void {
    if (!this.#open) return;
    if (this.#unread() > this.#maxUnreadBytes) {
      this.#drop("The client fell too far behind the event stream.");
      return;
    }
    this.#append(text);
    if (this.#queueEmpty) this.#handOver();
    this.#lastWrite = performance.now();
  }

  /** Bytes sent that the client has not read yet: pending, and handed over but still queued. */
  #unread(): number {
    return this.#pending.size + QUEUE_MARK - (this.#controller.desiredSize ?? 0);
  }

  #append(text: string): void {
    if (this.#pending.append(text)) return;
    this.#handOver();
    if (text.length * 3 > SLAB_BYTES) return this.#enqueue(encoder.encode(text));
    this.#pending.renew();
    this.#pending.append(text);
  }

  #handOver(): void {
    if (this.#pending.size > 0) this.#enqueue(this.#pending.take());
  }

  #enqueue(chunk: Uint8Array): void {
    this.#queueEmpty = false;
    this.#controller.enqueue(chunk); // may call #pull at once, when a read was waiting
  }

  #pull(): void {
    if (this.#pending.size > 0) this.#handOver();
    else this.#queueEmpty = true;
    if (this.#unread() < READY_BYTES) this.#release();
  }

  /** One timer for the whole stream: it looks at the last write when it fires, and sleeps on. */
  #armHeartbeat(ms: number): void {
    this.#heartbeat = setTimeout(() => this.#beat(), ms);
  }

  #beat(): void {
    if (performance.now() - this.#lastWrite >= this.#heartbeatMs) this.#write(": keep-alive\n\n");
    if (this.#open) this.#armHeartbeat(this.#heartbeatMs - (performance.now() - this.#lastWrite));
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
