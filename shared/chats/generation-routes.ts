/**
 * Stopping and resuming a generation (API.md): following a streamed reply from another connection
 * (from the `Last-Event-ID` it last saw, or `?offset=`), and stopping it from anywhere.
 * @module
 */
import { z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware.ts";
import { asUser, userReader } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { EVENT_STREAM_HEADERS, EventStream } from "../http/event-stream.ts";
import { authErrors, errors, json, routeBuilder } from "../http/openapi.ts";
import { inBackground } from "../runtime/background.ts";
import { followedMessage, followGeneration, requestStop } from "./generation.ts";
import { Message, MessageIdParams, ReplyStream } from "./schemas.ts";

const route = routeBuilder("chats");

const Offset = z.coerce.number().int().min(0).max(10_000_000);

const FollowQuery = z.object({
  offset: Offset.optional().openapi({
    description: "Characters of the reply already seen (the last delta's id); `Last-Event-ID` wins",
  }),
});

const FollowHeaders = z.object({
  "last-event-id": Offset.optional().openapi({ description: "The id of the last delta received" }),
});

const follow = route({
  method: "get",
  path: "/v1/chats/{chat_id}/messages/{message_id}/stream",
  summary: "Pick a streamed reply up again: the text after the offset, then live until it ends",
  description: "For a finished message the rest comes at once, then `done` (or `error`).",
  request: { params: MessageIdParams, query: FollowQuery, headers: FollowHeaders },
  responses: {
    200: {
      description: "`delta` events, then `done` or `error`",
      content: { "text/event-stream": { schema: ReplyStream } },
    },
    404: errors[404],
    ...authErrors,
  },
});

const stop = route({
  method: "post",
  path: "/v1/chats/{chat_id}/messages/{message_id}/stop",
  summary: "Stop a generation in progress (within a second, wherever it runs); its text so far is kept",
  description: "A message that is not generating is returned unchanged.",
  request: { params: MessageIdParams },
  responses: { 200: json(Message, "The message as it stands"), 404: errors[404], ...authErrors },
});

export function generationRoutes() {
  const router = createRouter();
  router.use("/v1/chats/*", requireUser());

  router.openapi(follow, async (c) => {
    const claims = c.get("claims");
    const { chat_id, message_id } = c.req.valid("param");
    const offset = c.req.valid("header")["last-event-id"] ?? c.req.valid("query").offset ?? 0;
    const read = userReader(claims);
    const ids = { userId: claims.sub, chatId: chat_id, messageId: message_id };
    const first = await followedMessage(read, claims.sub, chat_id, message_id);
    const events = new EventStream();
    const following = followGeneration(read, ids, first, offset, events);
    inBackground(following.finally(() => events.close()), "followed reply");
    return c.body(events.body, 200, EVENT_STREAM_HEADERS);
  });
  router.openapi(stop, async (c) => {
    const claims = c.get("claims");
    const { chat_id, message_id } = c.req.valid("param");
    return c.json(await asUser(claims, (tx) => requestStop(tx, claims.sub, chat_id, message_id)), 200);
  });
  return router;
}
