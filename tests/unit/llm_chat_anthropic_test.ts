/** The chat-completion client against a fake Anthropic Messages API. */
import assert from "node:assert/strict";
import { completeChat, type ProviderError, streamChat } from "../../shared/llm/chat/mod.ts";
import { anthropicError, anthropicJson, anthropicStream } from "../helpers/fake_llm.ts";
import { anthropicRequest, assertFinish, collect, errorOf, KEY, withFake } from "../helpers/llm_events.ts";

Deno.test("Anthropic: message_start + cumulative message_delta usage, pings ignored, request in Messages shape", async () => {
  await withFake(async (fake) => {
    fake.script(
      anthropicStream({ chunks: ["Hello", " world"], pings: true, inputTokens: 25, outputTokens: [3, 15] }),
    );
    const reply = await collect(streamChat(anthropicRequest(fake)));
    assert.equal(reply.text, "Hello world");
    assert.deepEqual(reply.usage, { promptTokens: 25, completionTokens: 15, totalTokens: 40 });
    assertFinish(reply.last, "stop");
    assert.equal((reply.last as { providerReason: string }).providerReason, "end_turn");

    const sent = fake.requests[0];
    assert.equal(sent.path, "/v1/messages");
    assert.equal(sent.headers.get("x-api-key"), KEY);
    assert.equal(sent.headers.get("anthropic-version"), "2023-06-01");
    assert.equal(sent.headers.get("authorization"), null);
    assert.equal(sent.body.system, "Be brief.");
    assert.deepEqual(sent.body.messages, [{ role: "user", content: "Hi" }, {
      role: "user",
      content: "Again",
    }]);
    assert.equal(sent.body.temperature, 1, "capped to Anthropic's 0..1");
    assert.equal(sent.body.max_tokens, 300);
    assert.equal("frequency_penalty" in sent.body, false);
    assert.equal("top_p" in sent.body, false);
  });
});

Deno.test("Anthropic: event: error mid-stream ends with a typed error after the partial text", async () => {
  await withFake(async (fake) => {
    const steps = anthropicStream({ chunks: ["Par", "tial"], stopReason: null, stop: false }).sse!;
    fake.script({
      sse: [...steps, {
        event: "error",
        data: { type: "error", error: { type: "overloaded_error", message: "Overloaded" } },
      }],
    });
    const reply = await collect(streamChat(anthropicRequest(fake)));
    assert.equal(reply.text, "Partial");
    const error = errorOf(reply.last);
    assert.equal(error.status, 529);
    assert.equal(error.code, "overloaded_error");
    assert.equal(error.providerMessage, "Overloaded");
    assert.equal(error.permanent, false);
  });
});

Deno.test("Anthropic: no message_stop and no stop_reason is 'interrupted'; max_tokens is 'length'; thinking is reasoning", async () => {
  await withFake(async (fake) => {
    fake.script(
      anthropicStream({ chunks: ["cut"], stopReason: null, stop: false }),
      anthropicStream({ chunks: ["long"], stopReason: "max_tokens", thinking: ["hmm"] }),
    );
    const cut = await collect(streamChat(anthropicRequest(fake)));
    assert.equal(cut.text, "cut");
    assertFinish(cut.last, "interrupted");
    const long = await collect(streamChat(anthropicRequest(fake)));
    assert.equal(long.reasoning, "hmm");
    assertFinish(long.last, "length");
  });
});

Deno.test("Anthropic: non-streaming answer, a lowered top_p replaces temperature, and HTTP errors", async () => {
  await withFake(async (fake) => {
    fake.script(
      { json: anthropicJson({ text: "Fine." }) },
      anthropicError(429, "rate_limit_error", "Slow down", "12"),
    );
    const result = await completeChat(anthropicRequest(fake, { settings: { temperature: 0.2, top_p: 0.9 } }));
    assert.deepEqual(result, {
      text: "Fine.",
      usage: { promptTokens: 30, completionTokens: 3, totalTokens: 33 },
      finishReason: "stop",
      providerReason: "end_turn",
    });
    assert.equal(fake.requests[0].body.top_p, 0.9);
    assert.equal(fake.requests[0].body.temperature, undefined);
    assert.equal(fake.requests[0].body.max_tokens, 4096, "Anthropic's required max_tokens gets a default");
    await assert.rejects(completeChat(anthropicRequest(fake)), (error: ProviderError) => {
      assert.equal(error.kind, "rate_limit");
      assert.equal(error.code, "rate_limit_error");
      assert.equal(error.retryAfter, 12);
      return true;
    });
  });
});
