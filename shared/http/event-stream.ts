/**
 * A `text/event-stream` body written one event at a time, that never blocks or throws at the
 * writer: the work producing the events (a reply being generated) goes on at its own pace whether
 * the client reads slowly, hangs up, or never reads at all.
 *
 * Each event is `id: <n>` (1, 2, ... for resuming), `event: <type>` and one `data:` line of JSON.
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

/** Bytes a client may fall behind before it is treated as gone (so a stalled reader cannot hold memory). */
export const MAX_UNREAD_BYTES = 4 * 1024 * 1024;

export interface EventStreamOptions {
  /** Silence after which a `: keep-alive` comment is written (default: CHAT_STREAM_HEARTBEAT_SECONDS). */
  heartbeatMs?: number;
  maxUnreadBytes?: number;
}

const encoder = new TextEncoder();

/** An SSE body: `send` events, `close` at the end; `body` goes in the response. */
export class EventStream {
  readonly body: ReadableStream<Uint8Array>;
  readonly #heartbeatMs: number;
  readonly #maxUnreadBytes: number;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #sequence = 0;
  #heartbeat: ReturnType<typeof setTimeout> | undefined;

  constructor(options: EventStreamOptions = {}) {
    this.#heartbeatMs = options.heartbeatMs ?? config().streamHeartbeatMs;
    this.#maxUnreadBytes = options.maxUnreadBytes ?? MAX_UNREAD_BYTES;
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
        this.#armHeartbeat();
      },
      cancel: () => this.#stop(),
    }, { highWaterMark: 0, size: (chunk) => chunk.byteLength });
  }

  /** Whether the client is still there (false after it hung up or the stream was closed). */
  get open(): boolean {
    return this.#open;
  }

  /** Writes one event; does nothing once the client is gone. */
  send(event: string, data: unknown): void {
    this.#write(`id: ${++this.#sequence}\nevent: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends the stream (the last event has been sent). */
  close(): void {
    if (!this.#open) return;
    this.#stop();
    this.#controller.close();
  }

  #write(text: string): void {
    if (!this.#open) return;
    if (-(this.#controller.desiredSize ?? 0) > this.#maxUnreadBytes) {
      this.#stop();
      this.#controller.error(new Error("The client stopped reading the event stream."));
      return;
    }
    this.#controller.enqueue(encoder.encode(text));
    this.#armHeartbeat();
  }

  #armHeartbeat(): void {
    clearTimeout(this.#heartbeat);
    this.#heartbeat = setTimeout(() => this.#write(": keep-alive\n\n"), this.#heartbeatMs);
  }

  #stop(): void {
    this.#open = false;
    clearTimeout(this.#heartbeat);
  }
}
