/** Organising chats through the gateway: pinned and archived chats in the list, feedback on replies. */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { createChat, withDb } from "../helpers/chats.ts";

const put = (user: TestUser, path: string, body: unknown) =>
  call(path, { method: "PUT", token: user.token, body });

/** Every page of `path`, following X-Next-Cursor; the titles in the order served. */
async function walk(user: TestUser, path: string, limit: number): Promise<string[]> {
  const titles: string[] = [];
  let query = `limit=${limit}`;
  for (let pages = 0; pages < 20; pages++) {
    const separator = path.includes("?") ? "&" : "?";
    const page = await call(`${path}${separator}${query}`, { token: user.token });
    assert.equal(page.status, 200, JSON.stringify(page.body));
    titles.push(...page.body.map((chat: { title: string }) => chat.title));
    const next = page.headers.get("x-next-cursor");
    if (!next) return titles;
    query = `limit=${limit}&before=${next}`;
  }
  throw new Error("the pages never ended");
}

Deno.test("pinned chats come first, archived ones only with archived=true, and paging keeps that order", async () => {
  const user = await signUpUser();
  const chats: Record<string, { id: string; updated_at: string }> = {};
  for (const title of ["c1", "c2", "c3", "c4", "c5", "c6"]) chats[title] = await createChat(user, { title });

  const pinned = await put(user, `/v1/chats/${chats.c2.id}`, { pinned: true });
  assert.equal(pinned.status, 200);
  assert.equal(pinned.body.pinned, true);
  assert.equal(pinned.body.archived, false);
  assert.equal(pinned.body.updated_at, chats.c2.updated_at, "pinning is not an update of the chat");
  await put(user, `/v1/chats/${chats.c4.id}`, { pinned: true });
  const archived = await put(user, `/v1/chats/${chats.c5.id}`, { archived: true });
  assert.equal(archived.body.archived, true);
  await put(user, `/v1/chats/${chats.c6.id}`, { archived: true, pinned: true });

  const expected = ["c4", "c2", "c3", "c1"];
  assert.deepEqual(await walk(user, "/v1/chats", 50), expected);
  for (const limit of [1, 2, 3]) {
    assert.deepEqual(await walk(user, "/v1/chats", limit), expected, `limit ${limit}`);
  }
  assert.deepEqual(await walk(user, "/v1/chats?archived=true", 1), ["c6", "c5"]);
  assert.deepEqual(await walk(user, "/v1/chats?archived=false", 2), expected);

  const unpinned = await put(user, `/v1/chats/${chats.c4.id}`, { pinned: false, archived: false });
  assert.equal(unpinned.body.pinned, false);
  assert.deepEqual(await walk(user, "/v1/chats", 2), ["c2", "c4", "c3", "c1"]);

  for (const bad of [{ pinned: "yes" }, { archived: 1 }]) {
    const refused = await put(user, `/v1/chats/${chats.c1.id}`, bad);
    assert.equal(refused.status, 422, JSON.stringify(bad));
  }
  assert.equal((await call("/v1/chats?archived=maybe", { token: user.token })).status, 422);
  const c1 = await call(`/v1/chats/${chats.c1.id}`, { token: user.token });
  assert.equal(c1.body.chat.pinned, false);
});

/** A chat with a user message and an assistant message stored as they are (no model, no reply). */
async function chatWithReply(user: TestUser) {
  const chat = await createChat(user, { initial_message: "question" });
  const reply = await call(`/v1/chats/${chat.id}/messages`, {
    method: "POST",
    token: user.token,
    body: { role: "assistant", content: "answer", metadata: { model: "m" } },
  });
  assert.equal(reply.status, 200);
  const messages = await call(`/v1/chats/${chat.id}/messages`, { token: user.token });
  return { chat, question: messages.body[0], reply: reply.body };
}

Deno.test("feedback on an assistant message is stored in metadata.feedback, and can be withdrawn", async () => {
  const user = await signUpUser();
  const { chat, reply } = await chatWithReply(user);
  const path = `/v1/chats/${chat.id}/messages/${reply.id}/feedback`;

  const up = await put(user, path, { rating: "up", comment: "  spot on  ", unknown: 1 });
  assert.equal(up.status, 200, JSON.stringify(up.body));
  assert.equal(up.body.id, reply.id);
  assert.equal(up.body.metadata.model, "m", "the rest of the metadata stays");
  assert.equal(up.body.metadata.feedback.rating, "up");
  assert.equal(up.body.metadata.feedback.comment, "spot on");
  assert.ok(Date.parse(up.body.metadata.feedback.updated_at) > 0);

  const down = await put(user, path, { rating: "down" });
  assert.deepEqual(Object.keys(down.body.metadata.feedback).sort(), ["rating", "updated_at"]);
  assert.equal(down.body.metadata.feedback.rating, "down");

  const stored = await call(`/v1/chats/${chat.id}/messages`, { token: user.token });
  assert.equal(stored.body[1].metadata.feedback.rating, "down");

  const withdrawn = await put(user, path, { rating: null });
  assert.equal(withdrawn.status, 200);
  assert.deepEqual(withdrawn.body.metadata, { model: "m" });
});

Deno.test("feedback: a user message is 422, another user's message 404, bad input 422, nothing written", async () => {
  const [owner, stranger] = await Promise.all([signUpUser(), signUpUser()]);
  const { chat, question, reply } = await chatWithReply(owner);
  const path = (messageId: string, chatId = chat.id) => `/v1/chats/${chatId}/messages/${messageId}/feedback`;

  const onQuestion = await put(owner, path(question.id), { rating: "up" });
  assert.equal(onQuestion.status, 422);
  assert.equal(onQuestion.body.code, "not_an_assistant_message");
  assert.equal(typeof onQuestion.body.message, "string");

  const foreign = await put(stranger, path(reply.id), { rating: "down" });
  assert.equal(foreign.status, 404);
  assert.equal(foreign.body.code, "not_found");
  const otherChat = await createChat(owner);
  assert.equal((await put(owner, path(reply.id, otherChat.id), { rating: "up" })).status, 404);
  assert.equal((await put(owner, path(crypto.randomUUID()), { rating: "up" })).status, 404);

  const bad: unknown[] = [{}, { rating: "meh" }, { rating: "up", comment: "x".repeat(1001) }, { rating: 1 }];
  for (const payload of bad) {
    const refused = await put(owner, path(reply.id), payload);
    assert.equal(refused.status, 422, JSON.stringify(payload));
    assert.ok(refused.body.message && refused.body.detail && refused.body.code);
  }
  const metadata = await withDb((sql) =>
    sql<
      { metadata: Record<string, unknown> }[]
    >`select metadata from public.messages where chat_id = ${chat.id}
      order by created_at`
  );
  assert.deepEqual(metadata.map((row) => row.metadata), [{}, { model: "m" }]);
});
