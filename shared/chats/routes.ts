/**
 * Chats: the caller's conversations and their messages (API.md "Chats").
 * @module
 */
import { discardAttachmentFiles } from "../attachments/store.ts";
import { requireUser } from "../auth/middleware.ts";
import { asUser, userReader } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { loadOnce } from "../runtime/load-once.ts";
import { authErrors, body, errors, json, routeBuilder } from "../http/openapi.ts";
import { PAGE_HEADERS, pageQuery, setNextCursor } from "../http/paging.ts";
import {
  BranchesQuery,
  ChatCreate,
  ChatDetail,
  ChatIdParams,
  ChatListQuery,
  ChatSummary,
  ChatUpdate,
  FeedbackUpdate,
  Message,
  MessageCreate,
  MessageIdParams,
  ReplyStream,
  SearchHit,
  SearchQuery,
} from "./schemas.ts";
import { searchChats as search } from "./search.ts";
import * as chats from "./service.ts";

const route = routeBuilder("chats");

const listChats = route({
  method: "get",
  path: "/v1/chats",
  summary: "The caller's chats: pinned first, then most recently updated",
  description: "Archived chats are left out, unless `archived=true` (then only they are listed). " +
    "Pages walk down the list: pass the next cursor as `before`.",
  request: { query: ChatListQuery },
  responses: { 200: { ...json(ChatSummary.array(), "Chats"), headers: PAGE_HEADERS }, ...authErrors },
});

const searchChats = route({
  method: "get",
  path: "/v1/chats/search",
  summary: "Full-text search over the caller's chat titles and messages, best matches first",
  request: { query: SearchQuery },
  responses: { 200: json(SearchHit.array(), "Hits"), ...authErrors },
});

const createChat = route({
  method: "post",
  path: "/v1/chats",
  summary: "Start a chat (optionally with a first message)",
  request: body(ChatCreate),
  responses: { 200: json(ChatSummary, "The new chat"), 404: errors[404], ...authErrors },
});

const getChat = route({
  method: "get",
  path: "/v1/chats/{chat_id}",
  summary: "A chat and its messages, oldest first (the active branch's unless `branches=all`)",
  request: { params: ChatIdParams, query: BranchesQuery },
  responses: { 200: json(ChatDetail, "The chat"), 404: errors[404], ...authErrors },
});

const updateChat = route({
  method: "put",
  path: "/v1/chats/{chat_id}",
  summary: "Rename, pin, archive a chat or change its model (only the fields sent change)",
  request: { params: ChatIdParams, ...body(ChatUpdate) },
  responses: { 200: json(ChatSummary, "The updated chat"), 404: errors[404], ...authErrors },
});

const deleteChat = route({
  method: "delete",
  path: "/v1/chats/{chat_id}",
  summary: "Delete a chat and its messages",
  request: { params: ChatIdParams },
  responses: { 204: { description: "Deleted" }, 404: errors[404], ...authErrors },
});

const addMessage = route({
  method: "post",
  path: "/v1/chats/{chat_id}/messages",
  summary: "Add a message to a chat; a user message gets the chat model's reply",
  description: "A `user` message in a chat with a usable model (the chat's, else the caller's default, " +
    "its provider active with a key) is answered: the reply is stored and returned, or with `stream: true` " +
    "streamed as `text/event-stream`. Any other message is stored and returned as it is.",
  request: { params: ChatIdParams, ...body(MessageCreate) },
  responses: {
    200: {
      description: "The assistant's stored reply; the stored message itself when no reply is due",
      content: {
        "application/json": { schema: Message },
        "text/event-stream": { schema: ReplyStream },
      },
    },
    404: errors[404],
    424: errors[424],
    429: errors[429],
    ...authErrors,
  },
});

const listMessages = route({
  method: "get",
  path: "/v1/chats/{chat_id}/messages",
  summary: "A chat's messages, oldest first",
  description: "Pages walk forward in time: pass the next cursor as `after` (or page back with `before`).",
  request: { params: ChatIdParams, query: pageQuery(BranchesQuery.shape) },
  responses: {
    200: { ...json(Message.array(), "Messages"), headers: PAGE_HEADERS },
    404: errors[404],
    ...authErrors,
  },
});

const setFeedback = route({
  method: "put",
  path: "/v1/chats/{chat_id}/messages/{message_id}/feedback",
  summary: "Rate an assistant message (feedback stored in its `metadata.feedback`)",
  request: { params: MessageIdParams, ...body(FeedbackUpdate) },
  responses: {
    200: json(Message, "The message with its feedback"),
    404: errors[404],
    ...authErrors,
  },
});

/**
 * What answers a message (reply plans, provider clients, streaming), imported when a message is
 * first posted: reading chats, which a fresh isolate serves first, does without it.
 */
const replyMachinery = loadOnce(() => Promise.all([import("./reply-plan.ts"), import("./answer.ts")]));

export function chatRoutes() {
  const router = createRouter();
  router.use("/v1/chats", requireUser());
  router.use("/v1/chats/*", requireUser());

  router.openapi(listChats, async (c) => {
    const claims = c.get("claims");
    const query = c.req.valid("query");
    const page = await chats.listChats(userReader(claims), claims.sub, query);
    setNextCursor(c, query.limit, page.next);
    return c.json(page.items, 200);
  });
  // Before /v1/chats/{chat_id}, which would take `search` for an id.
  router.openapi(searchChats, async (c) => {
    const claims = c.get("claims");
    const { q, limit } = c.req.valid("query");
    return c.json(await search(userReader(claims), claims.sub, q, limit), 200);
  });
  router.openapi(createChat, async (c) => {
    const claims = c.get("claims");
    const input = c.req.valid("json");
    return c.json(await asUser(claims, (tx) => chats.createChat(tx, claims.sub, input)), 200);
  });
  router.openapi(getChat, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    const all = c.req.valid("query").branches === "all";
    return c.json(await asUser(claims, (tx) => chats.getChatWithMessages(tx, claims.sub, chat_id, all)), 200);
  });
  router.openapi(updateChat, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    const update = c.req.valid("json");
    return c.json(await asUser(claims, (tx) => chats.updateChat(tx, claims.sub, chat_id, update)), 200);
  });
  router.openapi(deleteChat, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    const files = await asUser(claims, (tx) => chats.deleteChat(tx, claims.sub, chat_id));
    await discardAttachmentFiles(files);
    return c.body(null, 204);
  });
  router.openapi(addMessage, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    const input = c.req.valid("json");
    const [{ openTurn }, { answer }] = await replyMachinery();
    const turn = await asUser(claims, (tx) => openTurn(tx, claims.sub, chat_id, input));
    return await answer(c, claims, turn);
  });
  router.openapi(setFeedback, async (c) => {
    const claims = c.get("claims");
    const { chat_id, message_id } = c.req.valid("param");
    const input = c.req.valid("json");
    return c.json(
      await asUser(claims, (tx) => chats.setFeedback(tx, claims.sub, chat_id, message_id, input)),
      200,
    );
  });
  router.openapi(listMessages, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    const query = c.req.valid("query");
    const all = query.branches === "all";
    const page = await asUser(claims, (tx) => chats.listMessages(tx, claims.sub, chat_id, query, all));
    setNextCursor(c, query.limit, page.next);
    return c.json(page.items, 200);
  });
  return router;
}
