/** Streamed replies (`stream: true`) through the gateway, the api function and Postgres, from fake providers. */
import assert from "node:assert/strict";
import { call } from "../helpers/api.ts";
import { createChat } from "../helpers/chats.ts";
import { stackLog } from "../helpers/env.ts";
import { gate } from "../helpers/gate.ts";
import {
  anthropicEvents,
  anthropicStream,
  openAiChunks,
  openAiError,
  openAiJson,
  openAiStream,
  startFakeLlm,
} from "../helpers/fake_llm.ts";
import {
  eventually,
  messagesOf,
  streamMessage,
  type StreamResult,
  userWithFakeModel,
} from "../helpers/replies.ts";

const names = (result: StreamResult) => result.events.map((e) => e.event);

/**
 * The stream's promise: `start` first (with the id of the message the reply is written to), deltas,
 * one final `done` or `error`; each delta's id is the length of the reply's text so far, other
 * events carry none.
 */
function assertShape(result: StreamResult, last: "done" | "error") {
  assert.equal(result.status, 200);
  assert.match(result.headers.get("content-type") ?? "", /^text\/event-stream/);
  assert.equal(result.events[0].event, "start");
  assert.equal(result.events.at(-1)!.event, last);
  assert.equal(result.events.filter((e) => e.event === "done" || e.event === "error").length, 1);
  assert.equal(typeof result.events[0].data.assistant_message_id, "string");
  let length = 0;
  const expected = result.events.map((e) => {
    if (e.event !== "delta") return undefined;
    length += e.data.text.length;
    return String(length);
  });
  assert.deepEqual(result.events.map((e) => e.id || undefined), expected);
}

Deno.test("a streamed reply (Mistral: comment lines, usage on the final chunk) reassembles to the stored message", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "mistral");
  const chat = await createChat(user, { title: "Streaming" });
  const chunks = ["The ", "quick ", "brown ", "fox ", "jumps."];
  fake.script(openAiStream({ chunks, usage: "final_chunk", comments: ["keep-alive"], promptTokens: 12 }));

  const result = await streamMessage(user, chat.id, "Tell me about foxes");
  assertShape(result, "done");
  const start = result.events[0].data.message;
  assert.equal(start.role, "user");
  assert.equal(start.content, "Tell me about foxes");
  assert.deepEqual(result.events.filter((e) => e.event === "delta").map((e) => e.data.text), chunks);
  const done = result.events.at(-1)!.data;
  assert.equal(done.message.content, result.text);
  assert.equal(done.message.role, "assistant");
  assert.deepEqual(done.usage, { prompt_tokens: 12, completion_tokens: 5 });
  assert.equal(done.message.metadata.finish_reason, "stop");
  assert.equal(typeof done.message.metadata.first_token_ms, "number");

  const stored = await messagesOf(user, chat.id);
  assert.deepEqual(stored.map((m) => m.content), ["Tell me about foxes", "The quick brown fox jumps."]);
  assert.deepEqual(stored[1], done.message);
  const sent = fake.requests[0].body;
  assert.equal(sent.stream, true);
  assert.equal("stream_options" in sent, false, "Mistral refuses stream_options");
});

Deno.test("Anthropic streams: pings skipped, thinking as reasoning events, cumulative output tokens; then a title", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "anthropic");
  const chat = await createChat(user);
  fake.script(anthropicStream({
    chunks: ["Hello", " from", " Claude"],
    thinking: ["Let me think."],
    pings: true,
    inputTokens: 20,
    outputTokens: [2, 9],
  }));
  const result = await streamMessage(user, chat.id, "Hi");
  assertShape(result, "done");
  assert.deepEqual(names(result).slice(0, 2), ["start", "reasoning"]);
  assert.equal(result.events[1].data.text, "Let me think.");
  const done = result.events.at(-1)!.data;
  assert.equal(done.message.content, "Hello from Claude");
  assert.equal(result.text, "Hello from Claude");
  assert.deepEqual(done.usage, { prompt_tokens: 20, completion_tokens: 9 });
  assert.equal((await messagesOf(user, chat.id))[1].content, "Hello from Claude");
  // The Untitled chat is named after the stream, from the (unscripted) fake's whole answer.
  const title = await eventually(
    async () => (await call(`/v1/chats/${chat.id}`, { token: user.token })).body.chat.title,
    (title) => title !== "Untitled chat",
  );
  assert.equal(title, "Hello from the fake provider");
  assert.equal(fake.requests[1].body.stream, false);
});

Deno.test("a provider error mid-stream ends with an error event; the partial text is stored", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "openrouter");
  const chat = await createChat(user, { title: "Broken" });
  // OpenRouter sends an error as an ordinary data chunk once the 200 has gone out.
  const head = openAiChunks({
    chunks: ["Partial ", "answer"],
    finishReason: null,
    usage: "none",
    done: false,
  });
  fake.script({ sse: [...head, { data: { error: { code: 502, message: "Upstream model overloaded" } } }] });

  const result = await streamMessage(user, chat.id, "Go");
  assertShape(result, "error");
  assert.equal(result.text, "Partial answer");
  const error = result.events.at(-1)!.data;
  assert.equal(error.code, "provider_error");
  assert.equal(error.detail, "OpenRouter answered 502: Upstream model overloaded.");
  assert.equal(error.message.content, "Partial answer");
  assert.equal(error.message.metadata.finish_reason, "error");
  assert.deepEqual(error.message.metadata.error, { code: "provider_error", detail: error.detail });
  const stored = await messagesOf(user, chat.id);
  assert.deepEqual(stored.map((m) => [m.role, m.content]), [["user", "Go"], ["assistant", "Partial answer"]]);
});

Deno.test("Anthropic's mid-stream error event and a refusal before the stream: error events, nothing invented", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "anthropic");
  const chat = await createChat(user, { title: "Overloaded" });
  const head = anthropicEvents({ chunks: ["Half"], stopReason: null, stop: false });
  fake.script({
    sse: [...head, {
      event: "error",
      data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
    }],
  });
  const midway = await streamMessage(user, chat.id, "One");
  assertShape(midway, "error");
  assert.equal(midway.events.at(-1)!.data.detail, "Anthropic answered 529: Overloaded.");
  assert.equal(midway.events.at(-1)!.data.message.content, "Half");

  fake.script(openAiError(429, "Too many requests", { retryAfter: "3" }));
  const refused = await streamMessage(user, chat.id, "Two");
  assertShape(refused, "error");
  assert.deepEqual(names(refused), ["start", "error"]);
  assert.equal(refused.events[1].data.code, "provider_rate_limited");
  assert.equal(refused.events[1].data.message, null);
  const stored = await messagesOf(user, chat.id);
  assert.deepEqual(stored.map((m) => [m.role, m.content]), [["user", "One"], ["assistant", "Half"], [
    "user",
    "Two",
  ]]);
});

Deno.test("a client that disconnects mid-stream loses nothing: the whole reply is generated and stored", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "groq");
  const chat = await createChat(user, { title: "Flaky phone" });
  const chunks = Array.from({ length: 12 }, (_, i) => `part${i + 1} `);
  fake.script(openAiStream({ chunks, delayMs: 60, usage: "x_groq" }));

  const cut = await streamMessage(user, chat.id, "Long answer please", (event) => event.event === "delta");
  assert.equal(cut.text, "part1 ", "the client left after the first delta");
  const stored = await eventually(
    () => messagesOf(user, chat.id),
    (messages) => messages[1]?.metadata.status === "complete",
  );
  assert.equal(stored[1].content, chunks.join(""));
  assert.equal(stored[1].metadata.finish_reason, "stop");
  assert.equal(fake.disconnects, 0, "the provider's stream was read to its end");
});

Deno.test("deltas pass through the gateway as they come, not buffered", async () => {
  // The provider sends each chunk only once the client has seen the one before: a buffered stream
  // would hold the first delta back, and the provider would wait until the gate gave up on it.
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user, { title: "Timing" });
  const gates = [gate(), gate(), gate()];
  fake.script(openAiStream({ chunks: ["a", "b", "c", "d"], gates: gates.map((g) => g.outcome) }));
  let deltas = 0;
  const result = await streamMessage(user, chat.id, "Slowly", (event) => {
    if (event.event === "delta") gates[deltas++]?.open();
    return false;
  });
  assertShape(result, "done");
  assert.equal(result.text, "abcd");
  assert.deepEqual(
    await Promise.all(gates.map((g) => g.outcome)),
    ["opened", "opened", "opened"],
    "each delta reached the client before the provider sent the next chunk",
  );
});

Deno.test("the provider key appears in no response, event or log line", async () => {
  await using fake = startFakeLlm();
  const { user, key } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user, { title: "Secrets" });
  const seen: string[] = [];
  fake.script(openAiStream({ chunks: ["fine"] }));
  seen.push(JSON.stringify((await streamMessage(user, chat.id, "one")).events));
  fake.script({ json: openAiJson({ text: "fine too" }) });
  seen.push(JSON.stringify(
    await call(`/v1/chats/${chat.id}/messages`, {
      method: "POST",
      token: user.token,
      body: { content: "two" },
    }),
  ));
  // Providers that quote the key they refused: before the stream and in a whole reply.
  fake.script(openAiError(401, `Incorrect API key provided: ${key}`));
  seen.push(JSON.stringify((await streamMessage(user, chat.id, "three")).events));
  fake.script(openAiError(401, `Incorrect API key provided: ${key}`));
  seen.push(JSON.stringify(
    await call(`/v1/chats/${chat.id}/messages`, {
      method: "POST",
      token: user.token,
      body: { content: "four" },
    }),
  ));
  seen.push(JSON.stringify(await call(`/v1/chats/${chat.id}`, { token: user.token })));
  assert.match(seen.join(""), /\[redacted\]/);

  await new Promise((resolve) => setTimeout(resolve, 300)); // let the function's log lines reach the file
  const log = await stackLog();
  if (log) assert.ok(log.includes(user.id), "the log holds this test's requests");
  const everything = seen.join("") + log;
  assert.equal(everything.includes(key), false, "the key leaked");
  assert.equal(everything.includes(key.slice(8)), false, "the secret part of the key leaked");
});
