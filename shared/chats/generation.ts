/**
 * A streamed generation's life in Postgres (API.md "Stopping and resuming a generation"), so that any
 * isolate can follow or stop it: the assistant message exists from the start (`metadata.status`
 * "generating"), its text is written as it grows in batches, and a stop asked for by another request
 * is read back on each batch (or by a light poll while the provider is silent).
 * @module
 */
import type { Reader, Tx } from "../db/client.ts";
import { notFound } from "../errors/api-error.ts";
import type { Message } from "./schemas.ts";
import { addMessage } from "./service.ts";
import { messageById, messageOf, oneMessage, ownMessage } from "./tree.ts";

/**
 * Text is written at most this often while it flows: each write holds the whole text so far (a retried
 * write stays exact), so a fast provider's long reply costs a few writes a second, not one per delta.
 */
export const FLUSH_INTERVAL_MS = 250;
/** While nothing is written, a stop is looked for this often. */
export const STOP_POLL_MS = 500;
/** While nothing is written, the message is stamped as alive this often (private.end_lost_generations). */
export const ALIVE_STAMP_MS = 30_000;

export type GenerationStatus = "generating" | "complete" | "stopped" | "error";

/** A text that may still grow (a string, or a reply's `GrowingText`): read in whole only when written. */
export interface TextSoFar {
  readonly length: number;
  toString(): string;
}

/** Where a streamed reply's message goes, and the model writing it. */
export interface GenerationStart {
  userId: string;
  chatId: string;
  parentId: string;
  model: { id: string; provider: string; model: string };
}

/** The assistant message a streamed reply writes to, made in the turn's transaction. */
export function startGeneration(tx: Tx, start: GenerationStart): Promise<Message> {
  const metadata = {
    status: "generating",
    provider: start.model.provider,
    model: start.model.model,
    model_config_id: start.model.id,
  };
  const input = { role: "assistant" as const, content: "", metadata, stream: true };
  return addMessage(tx, start.userId, start.chatId, input, { parentId: start.parentId });
}

/**
 * Writes a generation's text as it grows (one write in flight at a time, at most every
 * {@link FLUSH_INTERVAL_MS}) and calls `onStop` once another request has asked it to stop. `close`
 * waits for the write in flight; the final write is the caller's.
 */
export class ProgressWriter {
  readonly #read: Reader;
  readonly #messageId: string;
  readonly #onStop: () => void;
  readonly #ticker: ReturnType<typeof setInterval>;
  #text: TextSoFar = "";
  #written = 0;
  #lastContact = performance.now();
  #lastStamp = performance.now();
  #inFlight: Promise<void> | undefined;
  #stopped = false;

  constructor(read: Reader, messageId: string, onStop: () => void) {
    this.#read = read;
    this.#messageId = messageId;
    this.#onStop = onStop;
    this.#ticker = setInterval(() => this.#tick(), FLUSH_INTERVAL_MS);
  }

  /** Whether a stop was asked for. */
  get stopped(): boolean {
    return this.#stopped;
  }

  /** The whole text so far (written at the next tick). */
  update(text: TextSoFar): void {
    this.#text = text;
  }

  async close(): Promise<void> {
    clearInterval(this.#ticker);
    await this.#inFlight;
  }

  #tick(): void {
    if (this.#text.length > this.#written) this.#send(this.#write());
    else if (performance.now() - this.#lastContact >= STOP_POLL_MS) {
      this.#send(this.#check(performance.now() - this.#lastStamp >= ALIVE_STAMP_MS));
    }
  }

  #send(work: () => Promise<boolean>): void {
    if (this.#inFlight) return;
    this.#inFlight = work()
      .then((stop) => {
        this.#lastContact = performance.now();
        if (stop && !this.#stopped) {
          this.#stopped = true;
          this.#onStop();
        }
      })
      // A failed write is retried by the next tick; the final write reports real trouble.
      .catch(() => {})
      .finally(() => this.#inFlight = undefined);
  }

  #write(): () => Promise<boolean> {
    const text = this.#text.toString();
    return async () => {
      const [row] = await this.#read((tx) =>
        tx<{ stop: boolean }[]>`
          update public.messages
             set content = ${text}, metadata = metadata || jsonb_build_object('progress_at', now())
           where id = ${this.#messageId}
          returning coalesce((metadata ->> 'stop_requested')::boolean, false) as stop`
      );
      this.#written = text.length;
      this.#lastStamp = performance.now();
      return row?.stop ?? false;
    };
  }

  /** Whether a stop was asked for; with `stamp`, also a sign of life while the provider is silent. */
  #check(stamp: boolean): () => Promise<boolean> {
    return async () => {
      const [row] = await this.#read((tx) =>
        stamp
          ? tx<{ stop: boolean }[]>`
              update public.messages set metadata = metadata || jsonb_build_object('progress_at', now())
               where id = ${this.#messageId}
              returning coalesce((metadata ->> 'stop_requested')::boolean, false) as stop`
          : tx<{ stop: boolean }[]>`
              select coalesce((metadata ->> 'stop_requested')::boolean, false) as stop
                from public.messages where id = ${this.#messageId}`
      );
      if (stamp) this.#lastStamp = performance.now();
      return row?.stop ?? false;
    };
  }
}

/** The final state of the generation's message, returned as the API shows it. */
export async function finishGeneration(
  tx: Tx,
  messageId: string,
  content: string,
  metadata: Record<string, unknown>,
): Promise<Message | undefined> {
  const [updated] = await tx`
    update public.messages set content = ${content}, metadata = ${tx.json(metadata as never)}
     where id = ${messageId} returning id`;
  return updated ? await messageById(tx, messageId) : undefined;
}

/** Removes the message of a generation that produced nothing (a provider that refused at once). */
export async function dropGeneration(tx: Tx, messageId: string): Promise<void> {
  await tx`delete from public.messages where id = ${messageId}`;
}

export const statusOf = (message: { metadata: Record<string, unknown> }): GenerationStatus | undefined =>
  message.metadata.status as GenerationStatus | undefined;

/**
 * Asks the generation writing the caller's message to stop (whichever isolate runs it); the
 * message as it stands. A message that is not generating is returned unchanged; not the caller's → 404.
 */
export async function requestStop(
  tx: Tx,
  userId: string,
  chatId: string,
  messageId: string,
): Promise<Message> {
  const node = await messageOf(tx, userId, chatId, messageId);
  if (statusOf(node) === "generating") {
    await tx`update public.messages set metadata = metadata || '{"stop_requested": true}'::jsonb
              where id = ${messageId} and metadata ->> 'status' = 'generating'`;
  }
  return await messageById(tx, messageId);
}

/** The caller's message as a follower reads it (404 when it is not theirs). */
export async function followedMessage(read: Reader, userId: string, chatId: string, messageId: string) {
  const [row] = await read((tx) => ownMessage(tx, userId, chatId, messageId));
  if (!row) throw notFound("Message not found.");
  return row;
}

/** A follower gives up on a generation whose message has not changed for this long (its isolate is gone). */
export const LOST_AFTER_MS = 150_000;

/** Where a follower's events go. */
export interface FollowSink {
  send(event: string, data: unknown, id?: number): void;
  ready(): Promise<void>;
  readonly open: boolean;
}

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Follows the caller's generation from `offset` (characters of its text already seen): the text after
 * it as `delta`s, live until the generation ends, then `done` or `error` — at once for a finished one.
 * `first` is the message as already read (the caller answered 404 if it was not the caller's).
 */
export async function followGeneration(
  read: Reader,
  ids: { userId: string; chatId: string; messageId: string },
  first: Pick<Message, "content" | "metadata">,
  offset: number,
  sink: FollowSink,
): Promise<void> {
  let sent = offset;
  let row = first;
  let changedAt = performance.now();
  while (sink.open) {
    if (row.content.length > sent) {
      sink.send("delta", { text: row.content.slice(sent) }, row.content.length);
      sent = row.content.length;
      changedAt = performance.now();
      await sink.ready();
    }
    if (statusOf(row) !== "generating") {
      const [event, data] = await lastEvent(read, ids.messageId, row);
      return sink.send(event, data);
    }
    if (performance.now() - changedAt > LOST_AFTER_MS) {
      const detail = "The generation stopped answering: its text so far is stored.";
      return sink.send("error", { detail, code: "generation_lost", message: null });
    }
    await pause(FLUSH_INTERVAL_MS);
    row = await followedMessage(read, ids.userId, ids.chatId, ids.messageId);
  }
}

async function lastEvent(
  read: Reader,
  messageId: string,
  row: Pick<Message, "metadata">,
): Promise<[string, unknown]> {
  const [message] = await read((tx) => oneMessage(tx, messageId));
  const metadata = row.metadata;
  if (statusOf(row) === "error") {
    const error = (metadata.error ?? {}) as { code?: string; detail?: string };
    const detail = error.detail ?? "The reply failed.";
    return ["error", { detail, code: error.code ?? "provider_error", message: message ?? null }];
  }
  return ["done", { message, usage: metadata.usage ?? null }];
}
