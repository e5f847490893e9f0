/**
 * Conversations as trees (API.md): messages carry their parent and sibling place; regenerate and edit
 * add siblings that become the active branch, with the history of their own path sent to the provider;
 * switching branches; old clients keep seeing one line.
 */
import assert from "node:assert/strict";
import { apiUrl, call, type TestUser } from "../helpers/api.ts";
import { createChat } from "../helpers/chats.ts";
import { type FakeLlm, openAiJson, openAiStream, startFakeLlm } from "../helpers/fake_llm.ts";
import { userWithFakeModel } from "../helpers/replies.ts";

interface Msg {
  id: string;
  parent_id: string | null;
  role: string;
  content: string;
  sibling_index: number;
  sibling_count: number;
}

const say = (user: TestUser, chatId: string, content: string) =>
  call(`/v1/chats/${chatId}/messages`, { method: "POST", token: user.token, body: { content } });

async function path(user: TestUser, chatId: string, query = ""): Promise<Msg[]> {
  const { status, body } = await call(`/v1/chats/${chatId}${query}`, { token: user.token });
  assert.equal(status, 200, JSON.stringify(body));
  return body.messages;
}

const contents = (messages: Msg[]) => messages.map((m) => m.content);

/** A chat with two answered turns: q1 → a1 → q2 → a2. */
async function twoTurns(fake: FakeLlm) {
  const { user } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user, { title: "tree" });
  fake.script({ json: openAiJson({ text: "a1" }) }, { json: openAiJson({ text: "a2" }) });
  assert.equal((await say(user, chat.id, "q1")).status, 200);
  assert.equal((await say(user, chat.id, "q2")).status, 200);
  return { user, chatId: chat.id as string };
}

Deno.test("a conversation is one line: each message follows the one before, alone among its siblings", async () => {
  await using fake = startFakeLlm();
  const { user, chatId } = await twoTurns(fake);
  const messages = await path(user, chatId);
  assert.deepEqual(contents(messages), ["q1", "a1", "q2", "a2"]);
  assert.equal(messages[0].parent_id, null);
  for (let i = 1; i < messages.length; i++) assert.equal(messages[i].parent_id, messages[i - 1].id);
  assert.ok(messages.every((m) => m.sibling_index === 0 && m.sibling_count === 1));
});

Deno.test("regenerate: a sibling answer to the same question, from the history up to it; it becomes active", async () => {
  await using fake = startFakeLlm();
  const { user, chatId } = await twoTurns(fake);
  const before = await path(user, chatId);
  const a2 = before[3];
  fake.script({ json: openAiJson({ text: "a2 again" }) });
  const regenerated = await call(`/v1/chats/${chatId}/messages/${a2.id}/regenerate`, {
    method: "POST",
    token: user.token,
    body: {},
  });
  assert.equal(regenerated.status, 200, JSON.stringify(regenerated.body));
  assert.equal(regenerated.body.content, "a2 again");
  assert.equal(regenerated.body.parent_id, a2.parent_id);
  assert.deepEqual(
    fake.requests.at(-1)!.body.messages.map((m: { content: string }) => m.content),
    ["q1", "a1", "q2"],
    "the provider gets the path up to the question, not the old answer",
  );

  const after = await path(user, chatId);
  assert.deepEqual(contents(after), ["q1", "a1", "q2", "a2 again"]);
  assert.deepEqual([after[3].sibling_index, after[3].sibling_count], [1, 2]);
  const all = await path(user, chatId, "?branches=all");
  assert.deepEqual(contents(all), ["q1", "a1", "q2", "a2", "a2 again"]);
  const listed = await call(`/v1/chats/${chatId}/messages?limit=2&branches=all`, { token: user.token });
  assert.equal(listed.body.length, 2);

  const back = await call(`/v1/chats/${chatId}/active`, {
    method: "PUT",
    token: user.token,
    body: { message_id: a2.id },
  });
  assert.equal(back.status, 200, JSON.stringify(back.body));
  assert.deepEqual(contents(back.body.messages), ["q1", "a1", "q2", "a2"]);
  assert.deepEqual(contents(await path(user, chatId)), ["q1", "a1", "q2", "a2"], "the switch is kept");

  fake.script({ json: openAiJson({ text: "a3" }) });
  await say(user, chatId, "q3");
  assert.deepEqual(
    fake.requests.at(-1)!.body.messages.map((m: { content: string }) => m.content),
    ["q1", "a1", "q2", "a2", "q3"],
    "a new message continues the branch switched to",
  );
});

Deno.test("edit: a new version of a question beside it, answered from its own path; the old branch stays", async () => {
  await using fake = startFakeLlm();
  const { user, chatId } = await twoTurns(fake);
  const [q1] = await path(user, chatId);
  fake.script({ sse: openAiStream({ chunks: ["a1", "'"] }).sse });
  const response = await fetch(`${apiUrl}/v1/chats/${chatId}/messages/${q1.id}/edit`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
    body: JSON.stringify({ content: "q1'", stream: true }),
  });
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.match(text, /event: start/);
  assert.match(text, /event: done/);
  assert.deepEqual(
    fake.requests.at(-1)!.body.messages.map((m: { content: string }) => m.content),
    ["q1'"],
    "an edited first question starts a new conversation",
  );

  const edited = await path(user, chatId);
  assert.deepEqual(contents(edited), ["q1'", "a1'"]);
  assert.equal(edited[0].parent_id, null);
  assert.deepEqual([edited[0].sibling_index, edited[0].sibling_count], [1, 2]);

  const back = await call(`/v1/chats/${chatId}/active`, {
    method: "PUT",
    token: user.token,
    body: { message_id: q1.id },
  });
  assert.deepEqual(contents(back.body.messages), ["q1", "a1", "q2", "a2"], "the newest leaf under q1");
});

Deno.test("branch routes refuse what they cannot do, and store nothing", async () => {
  await using fake = startFakeLlm();
  const { user, chatId } = await twoTurns(fake);
  const { user: other } = await userWithFakeModel(fake, "openai");
  const [q1, a1] = await path(user, chatId);
  const post = (who: TestUser, what: string, id: string, body: unknown) =>
    call(`/v1/chats/${chatId}/messages/${id}/${what}`, { method: "POST", token: who.token, body });

  const cases: [string, Promise<{ status: number; body: { code?: string } }>, number, string?][] = [
    ["regenerate a question", post(user, "regenerate", q1.id, {}), 422, "not_an_assistant_message"],
    ["edit an answer", post(user, "edit", a1.id, { content: "x" }), 422, "not_a_user_message"],
    ["edit without content", post(user, "edit", q1.id, {}), 422],
    [
      "regenerate with someone else's model",
      post(user, "regenerate", a1.id, {
        model_config_id: crypto.randomUUID(),
      }),
      422,
      "model_config_not_found",
    ],
    ["someone else's chat", post(other, "regenerate", a1.id, {}), 404],
    ["an unknown message", post(user, "regenerate", crypto.randomUUID(), {}), 404],
    [
      "a branch of no message of the chat",
      call(`/v1/chats/${chatId}/active`, {
        method: "PUT",
        token: user.token,
        body: { message_id: crypto.randomUUID() },
      }),
      422,
      "message_not_found",
    ],
  ];
  for (const [what, answer, status, code] of cases) {
    const { status: got, body } = await answer;
    assert.equal(got, status, `${what}: ${JSON.stringify(body)}`);
    if (code) assert.equal(body.code, code, what);
  }
  assert.equal((await path(user, chatId, "?branches=all")).length, 4, "nothing was stored");
});
