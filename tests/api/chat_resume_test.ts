/**
 * Stopping and resuming a generation (API.md): the reply's message exists from the start and grows in
 * Postgres, so another connection (any isolate) can pick the stream up from the last delta it saw, mid
 * reply or after the end, and stop it within a second.
 */
import assert from "node:assert/strict";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { apiUrl, call, type TestUser } from "../helpers/api.ts";
import { createChat } from "../helpers/chats.ts";
import { openAiStream, startFakeLlm } from "../helpers/fake_llm.ts";
import { eventually, messagesOf, streamMessage, userWithFakeModel } from "../helpers/replies.ts";

interface Event {
  id?: string;
  event?: string;
  // deno-lint-ignore no-explicit-any
  data: any;
}

/** Reads a follow stream to its end. */
async function follow(
  user: TestUser,
  chatId: string,
  messageId: string,
  headers: Record<string, string> = {},
) {
  const response = await fetch(`${apiUrl}/v1/chats/${chatId}/messages/${messageId}/stream`, {
    headers: { authorization: `Bearer ${user.token}`, ...headers },
  });
  if (response.status !== 200) {
    return { status: response.status, events: [] as Event[], body: await response.json() };
  }
  const events: Event[] = [];
  const parser = createParser({
    onEvent: (m: EventSourceMessage) => events.push({ id: m.id, event: m.event, data: JSON.parse(m.data) }),
  });
  for await (const chunk of response.body!.pipeThrough(new TextDecoderStream())) parser.feed(chunk);
  return { status: 200, events, body: null };
}

const textOf = (events: Event[]) =>
  events.filter((e) => e.event === "delta").map((e) => e.data.text).join("");

const CHUNKS = Array.from({ length: 16 }, (_, i) => `part${i + 1} `);

Deno.test("resume from another connection mid-reply: the text after the last delta seen, then live to the end", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user, { title: "resume" });
  fake.script(openAiStream({ chunks: CHUNKS, delayMs: 80 }));

  const cut = await streamMessage(
    user,
    chat.id,
    "Long answer",
    (e) => e.event === "delta" && e.data.text === "part3 ",
  );
  const start = cut.events[0].data;
  const lastId = cut.events.filter((e) => e.event === "delta").at(-1)!.id!;
  assert.equal(lastId, String("part1 part2 part3 ".length));

  const during = await messagesOf(user, chat.id);
  assert.equal(during[1].metadata.status, "generating", "the reply's message exists while it is written");

  const resumed = await follow(user, chat.id, start.assistant_message_id, { "last-event-id": lastId });
  assert.equal(resumed.status, 200);
  assert.equal(cut.text + textOf(resumed.events), CHUNKS.join(""), "nothing lost, nothing repeated");
  const done = resumed.events.at(-1)!;
  assert.equal(done.event, "done");
  assert.equal(done.data.message.content, CHUNKS.join(""));
  assert.equal(done.data.message.metadata.status, "complete");
  const deltaIds = resumed.events.filter((e) => e.event === "delta").map((e) => Number(e.id));
  assert.ok(deltaIds.every((id, i) => i === 0 || id > deltaIds[i - 1]), "offsets grow");
});

Deno.test("resume after the end: the rest and done at once; ?offset= works too; someone else's is 404", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "openai");
  const { user: other } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user, { title: "after" });
  fake.script(openAiStream({ chunks: ["Hello ", "there."] }));
  const whole = await streamMessage(user, chat.id, "Hi");
  const id = whole.events[0].data.assistant_message_id;

  const rest = await follow(user, chat.id, id, { "last-event-id": "6" });
  assert.deepEqual(rest.events.map((e) => e.event), ["delta", "done"]);
  assert.equal(rest.events[0].data.text, "there.");
  assert.equal(rest.events[0].id, "12");
  const nothing = await fetch(`${apiUrl}/v1/chats/${chat.id}/messages/${id}/stream?offset=12`, {
    headers: { authorization: `Bearer ${user.token}` },
  });
  assert.match(await nothing.text(), /^event: done/);

  const foreign = await follow(other, chat.id, id);
  assert.equal(foreign.status, 404);
  const bad = await follow(user, chat.id, id, { "last-event-id": "minus one" });
  assert.equal(bad.status, 422);
});

Deno.test("stop from another connection: the generation ends within a second, its text kept, finish_reason stopped", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user, { title: "stop" });
  const slow = Array.from({ length: 100 }, (_, i) => `w${i} `);
  fake.script(openAiStream({ chunks: slow, delayMs: 100 }));

  const streaming = streamMessage(user, chat.id, "Talk for a long time");
  const generating = await eventually(
    () => messagesOf(user, chat.id),
    (messages) => messages[1]?.content.length > 0,
  );
  const messageId = (generating[1] as unknown as { id: string }).id;
  const asked = performance.now();
  const stopped = await call(`/v1/chats/${chat.id}/messages/${messageId}/stop`, {
    method: "POST",
    token: user.token,
  });
  assert.equal(stopped.status, 200, JSON.stringify(stopped.body));

  const result = await streaming;
  const tookMs = performance.now() - asked;
  assert.ok(tookMs < 1500, `the stream ended ${Math.round(tookMs)} ms after the stop`);
  const done = result.events.at(-1)!;
  assert.equal(done.event, "done");
  assert.equal(done.data.message.metadata.status, "stopped");
  assert.equal(done.data.message.metadata.finish_reason, "stopped");
  assert.equal(done.data.message.content, result.text, "the text streamed so far is what is kept");
  assert.ok(result.text.length < slow.join("").length, "the provider was not read to its end");
  // The provider's connection was closed (the fake notices at its next write).
  await eventually(() => Promise.resolve(fake.disconnects), (closed) => closed >= 1, 3000);

  const again = await call(`/v1/chats/${chat.id}/messages/${messageId}/stop`, {
    method: "POST",
    token: user.token,
  });
  assert.equal(again.status, 200);
  assert.equal(again.body.content, result.text, "a finished message is returned unchanged");
});
