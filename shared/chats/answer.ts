/**
 * How a turn is answered over HTTP: the stored message when no reply is due, the stored reply as
 * JSON, or with `stream` the reply as server-sent events. New messages, regenerations and edits all
 * answer this way.
 * @module
 */
import type { Context } from "hono";
import type { UserClaims } from "../auth/claims.ts";
import { userReader, withUser } from "../db/client.ts";
import { EVENT_STREAM_HEADERS, EventStream } from "../http/event-stream.ts";
import { inBackground, keepAlive } from "../runtime/background.ts";
import type { ReplyPlan, Turn } from "./reply-plan.ts";
import { replyNow, streamReply } from "./replies.ts";
import type { Message } from "./schemas.ts";

/**
 * The reply as server-sent events: `start` (the stored user message, and the id of the assistant
 * message the generation writes to) now, then what the generation emits, at the pace the client
 * reads. The generation runs on in the background, so a client that hangs up (or stalls) loses nothing.
 */
function streamedReply(c: Context, claims: UserClaims, turn: Turn, plan: ReplyPlan, generation: Message) {
  const events = new EventStream();
  events.send("start", { message: turn.message, assistant_message_id: generation.id });
  const session = { withUser: withUser(claims), read: userReader(claims) };
  const streaming = streamReply(session, plan, generation.id, (event) => {
    events.send(event.event, event.data, "id" in event ? event.id : undefined);
    return events.ready();
  });
  inBackground(streaming.finally(() => events.close()), "streamed reply");
  return c.body(events.body, 200, EVENT_STREAM_HEADERS);
}

export async function answer(c: Context, claims: UserClaims, turn: Turn) {
  if (!turn.plan) return c.json(turn.message, 200);
  if (turn.generation) return streamedReply(c, claims, turn, turn.plan, turn.generation);
  // A client that hangs up before the reply comes still finds it stored.
  return c.json(await keepAlive(replyNow(withUser(claims), turn.plan)), 200);
}
