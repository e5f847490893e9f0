/**
 * The routes of conversations as trees (API.md "Conversations as trees"): regenerate an answer, edit
 * a question, switch the chat to another branch. Regenerations and edits answer as new messages do
 * (./answer.ts): JSON, or with `stream` server-sent events.
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { asUser } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { loadOnce } from "../runtime/load-once.ts";
import { authErrors, body, errors, json, routeBuilder } from "../http/openapi.ts";
import {
  ActiveBranchRequest,
  ChatDetail,
  ChatIdParams,
  EditRequest,
  Message,
  MessageIdParams,
  RegenerateRequest,
  ReplyStream,
} from "./schemas.ts";
import { getChat, getChatWithMessages } from "./service.ts";
import { switchBranch } from "./tree.ts";

const route = routeBuilder("chats");

const replyResponses = {
  200: {
    description: "The stored reply (JSON), or the reply streamed as `text/event-stream`",
    content: { "application/json": { schema: Message }, "text/event-stream": { schema: ReplyStream } },
  },
  404: errors[404],
  424: errors[424],
  429: errors[429],
  ...authErrors,
} as const;

const regenerate = route({
  method: "post",
  path: "/v1/chats/{chat_id}/messages/{message_id}/regenerate",
  summary: "A new answer beside an assistant message (same question); it becomes the active branch",
  description: "The stream's `start` event carries the question answered.",
  request: { params: MessageIdParams, ...body(RegenerateRequest) },
  responses: replyResponses,
});

const edit = route({
  method: "post",
  path: "/v1/chats/{chat_id}/messages/{message_id}/edit",
  summary: "A new version of a user message beside it, and its reply; it becomes the active branch",
  request: { params: MessageIdParams, ...body(EditRequest) },
  responses: replyResponses,
});

const activate = route({
  method: "put",
  path: "/v1/chats/{chat_id}/active",
  summary: "Switch branches: the newest leaf under `message_id` becomes the chat's active leaf",
  request: { params: ChatIdParams, ...body(ActiveBranchRequest) },
  responses: { 200: json(ChatDetail, "The chat on its new branch"), 404: errors[404], ...authErrors },
});

/**
 * What answers a regeneration or an edit (reply plans, provider clients, streaming), imported on
 * first use: the chats' other routes, mounted beside these, do without it.
 */
const replyMachinery = loadOnce(() => Promise.all([import("./branches.ts"), import("./answer.ts")]));

export function branchRoutes() {
  const router = createRouter();
  router.use("/v1/chats/*", requireUser());

  router.openapi(regenerate, async (c) => {
    const claims = c.get("claims");
    const { chat_id, message_id } = c.req.valid("param");
    const request = c.req.valid("json");
    const [{ openRegeneration }, { answer }] = await replyMachinery();
    const turn = await asUser(claims, (tx) => openRegeneration(tx, claims.sub, chat_id, message_id, request));
    return await answer(c, claims, turn);
  });
  router.openapi(edit, async (c) => {
    const claims = c.get("claims");
    const { chat_id, message_id } = c.req.valid("param");
    const request = c.req.valid("json");
    const [{ openEdit }, { answer }] = await replyMachinery();
    const turn = await asUser(claims, (tx) => openEdit(tx, claims.sub, chat_id, message_id, request));
    return await answer(c, claims, turn);
  });
  router.openapi(activate, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    const { message_id } = c.req.valid("json");
    return c.json(
      await asUser(claims, async (tx) => {
        await getChat(tx, claims.sub, chat_id);
        await switchBranch(tx, claims.sub, chat_id, message_id);
        return await getChatWithMessages(tx, claims.sub, chat_id);
      }),
      200,
    );
  });
  return router;
}
