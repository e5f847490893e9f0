/** Assistant replies (non-streaming) through the gateway, the api function and Postgres, from fake providers. */
import assert from "node:assert/strict";
import { call, signUpUser } from "../helpers/api.ts";
import { createChat, withDb } from "../helpers/chats.ts";
import { gate } from "../helpers/gate.ts";
import { anthropicJson, openAiError, openAiJson, startFakeLlm } from "../helpers/fake_llm.ts";
import { addFakeModel, eventually, messagesOf, userWithFakeModel } from "../helpers/replies.ts";

const post = (token: string, chatId: string, body: Record<string, unknown>) =>
  call(`/v1/chats/${chatId}/messages`, { method: "POST", token, body });

Deno.test("a user message gets the default model's reply, stored with its metadata (Groq, usage in x_groq)", async () => {
  await using fake = startFakeLlm();
  const { user, key, modelId } = await userWithFakeModel(fake, "groq", {
    settings: { system_prompt: "Be brief.", temperature: 0.2, max_tokens: 300, presence_penalty: 0.5 },
  });
  const chat = await createChat(user, { title: "Groq chat" });
  fake.script({ json: openAiJson({ text: "Hello! How can I help?", usage: "x_groq" }) });

  const { status, body } = await post(user.token, chat.id, { content: "Hi there" });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.role, "assistant");
  assert.equal(body.content, "Hello! How can I help?");
  assert.equal(body.chat_id, chat.id);
  const { latency_ms, ...metadata } = body.metadata;
  assert.ok(typeof latency_ms === "number" && latency_ms >= 0);
  assert.deepEqual(metadata, {
    provider: "groq",
    model: "fake-model",
    model_config_id: modelId,
    usage: { prompt_tokens: 9, completion_tokens: 3 },
    finish_reason: "stop",
  });

  const sent = fake.requests[0];
  assert.equal(sent.path, "/v1/chat/completions");
  assert.equal(sent.headers.get("authorization"), `Bearer ${key}`);
  assert.deepEqual(sent.body.messages, [
    { role: "system", content: "Be brief." },
    { role: "user", content: "Hi there" },
  ]);
  assert.equal(sent.body.model, "fake-model");
  assert.equal(sent.body.stream, false);
  assert.equal(sent.body.temperature, 0.2);
  assert.equal(sent.body.max_tokens, 300);
  assert.equal(sent.body.presence_penalty, 0.5);

  const stored = await messagesOf(user, chat.id);
  assert.deepEqual(stored.map((m) => [m.role, m.content]), [
    ["user", "Hi there"],
    ["assistant", "Hello! How can I help?"],
  ]);
  assert.deepEqual(stored[1].metadata, body.metadata);

  // The next turn sends the whole history, oldest first.
  fake.script({ json: openAiJson({ text: "Sure." }) });
  assert.equal((await post(user.token, chat.id, { content: "Again" })).status, 200);
  assert.deepEqual(fake.requests[1].body.messages.map((m: { content: string }) => m.content), [
    "Be brief.",
    "Hi there",
    "Hello! How can I help?",
    "Again",
  ]);
});

Deno.test("the chat's own model wins over the default (Anthropic: system on top, its headers, cache-read usage)", async () => {
  await using openai = startFakeLlm();
  await using anthropic = startFakeLlm();
  const { user } = await userWithFakeModel(openai, "openai");
  const claude = await addFakeModel(user, anthropic, "anthropic", {
    isDefault: false,
    settings: { system_prompt: "You are Claude.", temperature: 1.5 },
  });
  const chat = await createChat(user, { title: "Claude chat", model_config_id: claude.modelId });
  anthropic.script({ json: anthropicJson({ text: "Hello from Claude.", stopReason: "max_tokens" }) });

  const { status, body } = await post(user.token, chat.id, { content: "Hi" });
  assert.equal(status, 200, JSON.stringify(body));
  assert.equal(body.content, "Hello from Claude.");
  assert.equal(body.metadata.provider, "anthropic");
  assert.equal(body.metadata.finish_reason, "length");
  assert.deepEqual(body.metadata.usage, { prompt_tokens: 30, completion_tokens: 3 });
  assert.equal(openai.requests.length, 0, "the default model was not asked");

  const sent = anthropic.requests[0];
  assert.equal(sent.path, "/v1/messages");
  assert.equal(sent.headers.get("x-api-key"), claude.key);
  assert.equal(sent.headers.get("anthropic-version"), "2023-06-01");
  assert.equal(sent.body.system, "You are Claude.");
  assert.deepEqual(sent.body.messages, [{ role: "user", content: "Hi" }]);
  assert.equal(sent.body.temperature, 1, "Anthropic's temperature is capped at 1");
  assert.equal(sent.body.max_tokens, 2048);
});

Deno.test("with no usable model the message is stored and returned as before", async () => {
  const nobody = await signUpUser();
  const chat = await createChat(nobody, { title: "No model" });
  const plain = await post(nobody.token, chat.id, { content: "Anyone there?" });
  assert.equal(plain.status, 200);
  assert.equal(plain.body.role, "user");
  assert.equal(plain.body.content, "Anyone there?");
  const streamed = await post(nobody.token, chat.id, { content: "Stream?", stream: true });
  assert.equal(streamed.status, 200);
  assert.match(streamed.headers.get("content-type") ?? "", /application\/json/);
  assert.equal(streamed.body.role, "user");

  // A model whose provider was deactivated is not usable either; nothing is sent to it.
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "mistral");
  assert.equal((await call("/v1/providers/mistral", { method: "DELETE", token: user.token })).status, 204);
  const deactivated = await createChat(user, { title: "Deactivated" });
  const stored = await post(user.token, deactivated.id, { content: "Hello?" });
  assert.equal(stored.body.role, "user");
  assert.equal(fake.requests.length, 0);

  // System and assistant messages are stored without a reply.
  const system = await post(user.token, deactivated.id, { role: "system", content: "Be terse." });
  assert.equal(system.body.role, "system");
  assert.deepEqual((await messagesOf(user, deactivated.id)).map((m) => m.role), ["user", "system"]);
});

Deno.test("a provider failure is a 424 (never 5xx) with the provider's reason and Retry-After; the user message stays stored", async () => {
  await using fake = startFakeLlm();
  const { user, key } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user, { title: "Failing" });

  fake.script(openAiError(429, "Rate limit reached for gpt-4o-mini.", { retryAfter: "7" }));
  const limited = await post(user.token, chat.id, { content: "First" });
  assert.equal(limited.status, 424);
  assert.equal(limited.headers.get("retry-after"), "7");
  assert.equal(limited.body.code, "provider_rate_limited");
  assert.equal(limited.body.detail, "OpenAI answered 429: Rate limit reached for gpt-4o-mini.");
  assert.equal(limited.body.message, limited.body.detail);

  fake.script(openAiError(401, `Incorrect API key provided: ${key}.`));
  const rejected = await post(user.token, chat.id, { content: "Second" });
  assert.equal(rejected.status, 424);
  assert.equal(rejected.headers.get("retry-after"), null);
  assert.equal(rejected.body.code, "provider_rejected_key");
  assert.match(rejected.body.detail, /Incorrect API key provided: \[redacted\]/);
  assert.equal(JSON.stringify(rejected.body).includes(key), false);

  fake.script({ status: 503, text: "upstream connect error" });
  const down = await post(user.token, chat.id, { content: "Third" });
  assert.equal(down.status, 424);
  assert.equal(down.body.code, "provider_error");
  assert.match(down.body.detail, /OpenAI answered 503: upstream connect error/);

  assert.deepEqual((await messagesOf(user, chat.id)).map((m) => [m.role, m.content]), [
    ["user", "First"],
    ["user", "Second"],
    ["user", "Third"],
  ]);
});

Deno.test("long histories are trimmed to the model's context window: system prompt kept, oldest turns dropped", async () => {
  await using fake = startFakeLlm();
  // fake-small's catalogue entry says context_window 400: with max_tokens 100 reserved, 300 tokens remain.
  const { user, modelId } = await userWithFakeModel(fake, "groq", {
    model: "fake-small",
    settings: { system_prompt: "Be brief.", max_tokens: 100 },
  });
  const model = await call(`/v1/models/${modelId}`, { token: user.token });
  assert.equal(model.body.settings.metadata.context_window, 400);
  const chat = await createChat(user, { title: "Long" });
  // Ten turns of ~104 estimated tokens each, stored directly (alternating user / assistant).
  await withDb(async (sql) => {
    for (let i = 1; i <= 10; i++) {
      const role = i % 2 === 1 ? "user" : "assistant";
      await sql`insert into public.messages (chat_id, role, content)
                values (${chat.id}, ${role}, ${`m${i} `.padEnd(400, "x")})`;
    }
  });
  fake.script({ json: openAiJson({ text: "Short answer." }) });
  const { status } = await post(user.token, chat.id, { content: "And now?" });
  assert.equal(status, 200);

  const sent: { role: string; content: string }[] = fake.requests[0].body.messages;
  assert.deepEqual(sent.map((m) => `${m.role}:${m.content.slice(0, 3).trim()}`), [
    "system:Be",
    "user:m9",
    "assistant:m10",
    "user:And",
  ]);
  const estimate = sent.reduce((sum, m) => sum + Math.ceil(m.content.length / 4) + 4, 0);
  assert.ok(estimate <= 300, `${estimate} estimated tokens`);
});

Deno.test("an Untitled chat is titled after its first reply, without the reply waiting for it", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "deepseek");
  const chat = await createChat(user);
  assert.equal(chat.title, "Untitled chat");
  const replied = gate();
  fake.script(
    { json: openAiJson({ text: "Paris is the capital of France." }) },
    { until: replied.outcome, json: openAiJson({ text: 'Title: "Capital of France".' }) },
  );
  const reply = await post(user.token, chat.id, { content: "What is the capital of France?" });
  replied.open();
  assert.equal(reply.status, 200);
  assert.equal(await replied.outcome, "opened", "the reply did not wait for the title");
  const titled = await eventually(
    async () => (await call(`/v1/chats/${chat.id}`, { token: user.token })).body.chat.title,
    (title) => title !== "Untitled chat",
  );
  assert.equal(titled, "Capital of France");
  const titleRequest = fake.requests[1].body;
  assert.equal(titleRequest.stream, false);
  assert.equal(titleRequest.max_tokens, 32);
  assert.match(titleRequest.messages[1].content, /capital of France\?[\s\S]*Paris is the capital/);

  // Later replies leave the title alone.
  fake.script({ json: openAiJson({ text: "Lyon." }) });
  await post(user.token, chat.id, { content: "And the second city?" });
  await new Promise((resolve) => setTimeout(resolve, 300));
  assert.equal(fake.requests.length, 3, "no second title request");
});

Deno.test("when the title request fails, the first message (trimmed) is the title; a renamed chat is kept", async () => {
  await using fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "openai");
  const chat = await createChat(user);
  const question =
    "Could you please explain, in simple words and with an example or two, how photosynthesis works?";
  fake.script({ json: openAiJson({ text: "Plants turn light into sugar." }) }, openAiError(500, "boom"));
  assert.equal((await post(user.token, chat.id, { content: question })).status, 200);
  const title = await eventually(
    async () => (await call(`/v1/chats/${chat.id}`, { token: user.token })).body.chat.title,
    (title) => title !== "Untitled chat",
  );
  assert.equal(title, "Could you please explain, in simple words and with an…");

  const renamed = await createChat(user);
  fake.script(
    { json: openAiJson({ text: "Hi." }) },
    { delayMs: 500, json: openAiJson({ text: "Greeting" }) },
  );
  await post(user.token, renamed.id, { content: "Hello" });
  await call(`/v1/chats/${renamed.id}`, { method: "PUT", token: user.token, body: { title: "Mine" } });
  await eventually(() => Promise.resolve(fake.requests.length), (count) => count === 4);
  await new Promise((resolve) => setTimeout(resolve, 700));
  assert.equal((await call(`/v1/chats/${renamed.id}`, { token: user.token })).body.chat.title, "Mine");
});
