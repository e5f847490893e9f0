/**
 * How a turn is answered over HTTP: the stored message when no reply is due, the stored reply as
 * JSON, or with `stream` the reply as server-sent events. New messages, regenerations and edits all
 * answer this way.
 * @module
 */
import type { Context } from "hono";
import type { UserClaims } from "../auth/claims.ts";
import { withUser } from "../db/client.ts";
import { EVENT_STREAM_HEADERS, EventStream } from "../http/event-stream.ts";
import { inBackground, keepAlive } from "../runtime/background.ts";
import type { ReplyPlan, Turn } from "./reply-plan.ts";
import { replyNow, streamReply } from "./replies.ts";
import type { Message } from "./schemas.ts";

/**
 * The reply as server-sent events: `start` (the stored user message) now, then what the generation
 * emits, at the pace the client reads. The generation runs on in the background, so a client that
 * hangs up (or stalls) loses nothing.
 */
function streamedReply(c: Context, claims: UserClaims, message: Message, plan: ReplyPlan) {
  const events = new EventStream();
  events.send("start", { message });
  const generation = streamReply(withUser(claims), plan, ({ event, data }) => {
    events.send(event, data);
    return events.ready();
  });
  inBackground(generation.finally(() => events.close()), "streamed reply");
  return c.body(events.body, 200, EVENT_STREAM_HEADERS);
}

export async function answer(c: Context, claims: UserClaims, turn: Turn, stream: boolean) {
  if (!turn.plan) return c.json(turn.message, 200);
  if (stream) return streamedReply(c, claims, turn.message, turn.plan);
  // A client that hangs up before the reply comes still finds it stored.
  return c.json(await keepAlive(replyNow(withUser(claims), turn.plan)), 200);
}
