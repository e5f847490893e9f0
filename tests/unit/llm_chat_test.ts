/** The chat-completion clients (shared/llm/chat) against the fake providers: OpenAI-compatible quirks, errors, timeouts. */
import assert from "node:assert/strict";
import {
  type ChatEvent,
  type ChatRequest,
  completeChat,
  ProviderError,
  streamChat,
} from "../../shared/llm/chat/mod.ts";
import { openAiError, openAiJson, openAiStream, startFakeLlm } from "../helpers/fake_llm.ts";
import { assertFinish, collect, errorOf, KEY, request, withFake } from "../helpers/llm_events.ts";

Deno.test("OpenAI: a stream reassembles, usage from the separate last chunk, and the request is OpenAI's", async () => {
  await withFake(async (fake) => {
    fake.script(openAiStream({ chunks: ["Hel", "lo", " there"], usage: "separate", promptTokens: 11 }));
    const reply = await collect(streamChat(request(fake)));
    assert.equal(reply.text, "Hello there");
    assert.deepEqual(reply.usage, { promptTokens: 11, completionTokens: 3, totalTokens: 14 });
    assertFinish(reply.last, "stop");

    const sent = fake.requests[0];
    assert.equal(sent.path, "/v1/chat/completions");
    assert.equal(sent.headers.get("authorization"), `Bearer ${KEY}`);
    assert.deepEqual(sent.body.stream_options, { include_usage: true });
    assert.equal(sent.body.max_completion_tokens, 256);
    assert.equal(sent.body.max_tokens, undefined);
    assert.equal(sent.body.frequency_penalty, 0.5);
    assert.equal("top_p" in sent.body, false, "API defaults are left out");
    assert.equal("presence_penalty" in sent.body, false);
  });
});

Deno.test("OpenAI reasoning models get no sampling settings", async () => {
  await withFake(async (fake) => {
    await collect(streamChat(request(fake, { model: "o3-mini" })));
    const body = fake.requests[0].body;
    assert.equal(body.temperature, undefined);
    assert.equal(body.frequency_penalty, undefined);
    assert.equal(body.max_completion_tokens, 256);
  });
});

Deno.test("Groq: usage inside x_groq.usage is read", async () => {
  await withFake(async (fake) => {
    fake.script(openAiStream({ chunks: ["a", "b"], usage: "x_groq", promptTokens: 5, completionTokens: 2 }));
    const reply = await collect(streamChat(request(fake, { provider: "groq", model: "llama-3.3-70b" })));
    assert.equal(reply.text, "ab");
    assert.deepEqual(reply.usage, { promptTokens: 5, completionTokens: 2, totalTokens: 7 });
    assertFinish(reply.last, "stop");
    assert.equal(fake.requests[0].body.max_tokens, 256);
  });
});

Deno.test("Mistral: usage on the final content chunk; no penalties, no stream_options, no user", async () => {
  await withFake(async (fake) => {
    fake.script(
      openAiStream({ chunks: ["Bon", "jour"], usage: "final_chunk", finishReason: "model_length" }),
    );
    const reply = await collect(
      streamChat(
        request(fake, {
          provider: "mistral",
          model: "mistral-small",
          settings: { frequency_penalty: 1, presence_penalty: 1, temperature: 0.3 },
        }),
      ),
    );
    assert.equal(reply.text, "Bonjour");
    assert.equal(reply.usage?.completionTokens, 2);
    assertFinish(reply.last, "length");
    const body = fake.requests[0].body;
    for (const field of ["frequency_penalty", "presence_penalty", "stream_options", "user"]) {
      assert.equal(field in body, false, field);
    }
    assert.equal(body.temperature, 0.3);
  });
});

Deno.test("OpenRouter: comment lines are skipped; a mid-stream error chunk ends the stream after the text so far", async () => {
  await withFake(async (fake) => {
    fake.script({
      sse: [
        { comment: "OPENROUTER PROCESSING" },
        { comment: "OPENROUTER PROCESSING" },
        ...openAiStream({ chunks: ["Partial ", "answer"], finishReason: null, usage: "none", done: false })
          .sse!,
        {
          data: {
            id: "gen-1",
            choices: [{ index: 0, delta: { content: "" }, finish_reason: "error" }],
            error: { code: 502, message: `Upstream failed for key ${KEY}` },
          },
        },
        { data: "[DONE]" },
      ],
    });
    const reply = await collect(
      streamChat(request(fake, { provider: "openrouter", model: "openai/gpt-4o" })),
    );
    assert.equal(reply.text, "Partial answer");
    const error = errorOf(reply.last);
    assert.equal(error.status, 502);
    assert.equal(error.kind, "server");
    assert.match(error.providerMessage, /Upstream failed/);
    assert.ok(!error.providerMessage.includes(KEY), "the key is scrubbed");
    assert.equal("stream_options" in fake.requests[0].body, false);
  });
});

Deno.test("DeepSeek: keep-alive comments, reasoning_content apart from the text, and no reasoning_content sent back", async () => {
  await withFake(async (fake) => {
    fake.script(openAiStream({
      chunks: ["42"],
      comments: ["keep-alive", "keep-alive"],
      reasoning: ["Let me ", "think."],
    }));
    const history = [
      { role: "user", content: "Q1" },
      { role: "assistant", content: "A1", reasoning_content: "secret thoughts" },
      { role: "user", content: "Q2" },
    ] as ChatRequest["messages"];
    const reply = await collect(
      streamChat(request(fake, { provider: "deepseek", model: "deepseek-reasoner", messages: history })),
    );
    assert.equal(reply.text, "42");
    assert.equal(reply.reasoning, "Let me think.");
    const body = fake.requests[0].body;
    assert.deepEqual(body.messages[1], { role: "assistant", content: "A1" });
    assert.equal(body.temperature, undefined, "deepseek-reasoner ignores sampling settings: not sent");
    assert.deepEqual(body.stream_options, { include_usage: true });
  });
});

Deno.test("a stream that ends without a finish reason is 'interrupted' and keeps the partial text", async () => {
  await withFake(async (fake) => {
    fake.script(openAiStream({ chunks: ["half a"], finishReason: null, usage: "none", done: false }));
    const clean = await collect(streamChat(request(fake)));
    assert.equal(clean.text, "half a");
    assertFinish(clean.last, "interrupted");

    fake.script({
      sse: [...openAiStream({ chunks: ["cut ", "off"], finishReason: null, done: false }).sse!, {
        drop: true,
      }],
    });
    const dropped = await collect(streamChat(request(fake)));
    assert.equal(dropped.text, "cut off");
    assertFinish(dropped.last, "interrupted");
  });
});

Deno.test("a finish reason already given survives a connection dropped before [DONE]", async () => {
  await withFake(async (fake) => {
    const steps = openAiStream({ chunks: ["done"], usage: "none", done: false }).sse!;
    fake.script({ sse: [...steps, { drop: true }] });
    const reply = await collect(streamChat(request(fake)));
    assert.equal(reply.text, "done");
    assertFinish(reply.last, "stop");
  });
});

Deno.test("SSE framing: CRLF line ends and lines split across network chunks", async () => {
  await withFake(async (fake) => {
    const one = JSON.stringify({ choices: [{ index: 0, delta: { content: "split" }, finish_reason: null }] });
    const two = JSON.stringify({
      choices: [{ index: 0, delta: { content: " lines" }, finish_reason: "stop" }],
    });
    fake.script({
      sse: [
        { raw: ": hello\r\n\r\nda" },
        { delayMs: 5 },
        { raw: `ta: ${one.slice(0, 20)}` },
        { delayMs: 5 },
        { raw: `${one.slice(20)}\r` },
        { delayMs: 5 },
        { raw: `\n\r\ndata: ${two}\r\n\r\ndata: [DONE]` },
      ],
    });
    const reply = await collect(streamChat(request(fake)));
    assert.equal(reply.text, "split lines");
    assertFinish(reply.last, "stop");
  });
});

Deno.test("HTTP errors become typed ProviderErrors: 401, 402, 429 with Retry-After, 503", async () => {
  await withFake(async (fake) => {
    fake.script(
      openAiError(401, `Incorrect API key provided: ${KEY}`, { code: "invalid_api_key" }),
      openAiError(402, "Insufficient credits"),
      openAiError(429, "Rate limit reached", { retryAfter: "7" }),
      { status: 503, text: "Service Unavailable", headers: { "retry-after": "2" } },
    );
    const auth = errorOf((await collect(streamChat(request(fake)))).last);
    assert.equal(auth.status, 401);
    assert.equal(auth.kind, "auth");
    assert.equal(auth.code, "invalid_api_key");
    assert.equal(auth.providerMessage, "Incorrect API key provided: [redacted]");
    assert.equal(auth.permanent, true);

    const payment = errorOf((await collect(streamChat(request(fake)))).last);
    assert.equal(payment.kind, "payment");

    const limited = errorOf((await collect(streamChat(request(fake)))).last);
    assert.equal(limited.status, 429);
    assert.equal(limited.retryAfter, 7);
    assert.equal(limited.permanent, false);

    await assert.rejects(completeChat(request(fake)), (error: ProviderError) => {
      assert.equal(error.status, 503);
      assert.equal(error.kind, "server");
      assert.equal(error.retryAfter, 2);
      assert.equal(error.providerMessage, "Service Unavailable");
      return true;
    });
  });
});

Deno.test("non-streaming OpenAI-compatible: text, usage (also x_groq.usage), finish reason", async () => {
  await withFake(async (fake) => {
    fake.script(
      { json: openAiJson({ text: "Whole answer", finishReason: "length" }) },
      { json: openAiJson({ text: "Groq answer", usage: "x_groq" }) },
      // DeepSeek sends blank keep-alive lines before a non-streaming answer.
      {
        text: `\n\n\n${JSON.stringify(openAiJson({ text: "after blanks" }))}`,
        headers: { "content-type": "application/json" },
      },
    );
    const result = await completeChat(request(fake));
    assert.deepEqual(result, {
      text: "Whole answer",
      usage: { promptTokens: 9, completionTokens: 3, totalTokens: 12 },
      finishReason: "length",
      providerReason: "length",
    });
    assert.equal(fake.requests[0].body.stream, false);
    assert.equal("stream_options" in fake.requests[0].body, false);
    assert.equal((await completeChat(request(fake, { provider: "groq" }))).usage?.totalTokens, 12);
    assert.equal((await completeChat(request(fake, { provider: "deepseek" }))).text, "after blanks");
  });
});

Deno.test("timeouts: silence longer than timeoutMs is an error, keep-alive comments keep the stream alive", async () => {
  await withFake(async (fake) => {
    fake.script({ delayMs: 400 });
    const slowHeaders = errorOf((await collect(streamChat(request(fake, { timeoutMs: 100 })))).last);
    assert.equal(slowHeaders.kind, "timeout");

    fake.script(openAiStream({ chunks: ["a", "b"], delayMs: 400 }));
    const stalled = await collect(streamChat(request(fake, { timeoutMs: 150 })));
    assert.equal(errorOf(stalled.last).kind, "timeout");

    const alive = [
      { comment: "keep-alive" },
      { delayMs: 80 },
      { comment: "keep-alive" },
      { delayMs: 80 },
      { comment: "keep-alive" },
      { delayMs: 80 },
      ...openAiStream({ chunks: ["late"] }).sse!,
    ];
    fake.script({ sse: alive });
    const patient = await collect(streamChat(request(fake, { timeoutMs: 150 })));
    assert.equal(patient.text, "late");
    assertFinish(patient.last, "stop");
  });
});

Deno.test("the caller's abort signal ends the stream with an 'aborted' error; leaving early hangs up", async () => {
  await withFake(async (fake) => {
    fake.script(openAiStream({ chunks: ["one", "two", "three"], delayMs: 100 }));
    const controller = new AbortController();
    const events: ChatEvent[] = [];
    for await (const event of streamChat(request(fake, { signal: controller.signal }))) {
      events.push(event);
      if (event.type === "delta") controller.abort();
    }
    assert.equal(errorOf(events.at(-1)!).kind, "aborted");

    fake.script(openAiStream({ chunks: ["one", "two", "three"], delayMs: 50 }));
    for await (const event of streamChat(request(fake))) {
      if (event.type === "delta") break;
    }
    await new Promise((resolve) => setTimeout(resolve, 120));
    assert.equal(fake.disconnects, 2, "the fake saw both clients go");
  });
});

Deno.test("an unreachable provider is a network error; openai_compatible needs a base URL, not a key", async () => {
  const fake = startFakeLlm();
  const closedUrl = fake.baseUrl;
  await fake.close();
  const unreachable = errorOf((await collect(streamChat(request(fake, { baseUrl: closedUrl })))).last);
  assert.equal(unreachable.kind, "network");
  assert.equal(unreachable.status, null);

  await assert.rejects(
    completeChat({ provider: "openai_compatible", apiKey: "", model: "m", messages: [] }),
    /needs a base URL/,
  );
  await withFake(async (open) => {
    await completeChat(request(open, { provider: "openai_compatible", apiKey: "" }));
    assert.equal(open.requests[0].headers.get("authorization"), null);
  });
});
