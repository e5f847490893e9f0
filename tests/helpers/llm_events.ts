/**
 * Helpers for the chat-client tests: a request aimed at a fake provider, and a stream reassembled
 * with the stream's promise checked (exactly one `finish` or `error`, and it comes last).
 * @module
 */
import assert from "node:assert/strict";
import type { ChatEvent, ChatRequest, ProviderError } from "../../shared/llm/chat/mod.ts";
import { setDestinationPolicy } from "../../shared/llm/destinations.ts";
import { type FakeLlm, startFakeLlm } from "./fake_llm.ts";

// The fake providers listen on 127.0.0.1: allowed here, as the local stack allows them for its functions.
setDestinationPolicy({ allowPrivate: true });

export const KEY = "sk-test-0123456789abcdef";

export async function withFake(test: (fake: FakeLlm) => Promise<void>) {
  const fake = startFakeLlm();
  try {
    await test(fake);
  } finally {
    await fake.close();
  }
}

export function request(fake: FakeLlm, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return {
    provider: "openai",
    baseUrl: fake.baseUrl,
    apiKey: KEY,
    model: "gpt-4o-mini",
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
    settings: { temperature: 0.7, max_tokens: 256, top_p: 1, frequency_penalty: 0.5, presence_penalty: 0 },
    timeoutMs: 2000,
    ...overrides,
  };
}

/** The stream reassembled: text, reasoning, the last usage and the terminal event. */
export async function collect(events: AsyncIterable<ChatEvent>) {
  let text = "";
  let reasoning = "";
  const all: ChatEvent[] = [];
  for await (const event of events) {
    all.push(event);
    if (event.type === "delta") text += event.text;
    if (event.type === "reasoning") reasoning += event.text;
  }
  const usage = all.filter((e) => e.type === "usage").at(-1);
  const last = all.at(-1)!;
  const terminals = all.filter((e) => e.type === "finish" || e.type === "error");
  assert.equal(terminals.length, 1, "exactly one finish or error");
  assert.equal(terminals[0], last, "and it comes last");
  return { text, reasoning, usage: usage?.type === "usage" ? usage.usage : null, last };
}

export function assertFinish(event: ChatEvent, reason: string) {
  assert.equal(event.type, "finish", JSON.stringify(event));
  if (event.type === "finish") assert.equal(event.reason, reason);
}

export function errorOf(event: ChatEvent): ProviderError {
  assert.equal(event.type, "error", JSON.stringify(event));
  return (event as Extract<ChatEvent, { type: "error" }>).error;
}

export function anthropicRequest(fake: FakeLlm, overrides: Partial<ChatRequest> = {}): ChatRequest {
  return request(fake, {
    provider: "anthropic",
    model: "claude-sonnet",
    settings: { temperature: 1.5, max_tokens: 300, top_p: 1, frequency_penalty: 1 },
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
      { role: "assistant", content: "" },
      { role: "user", content: "Again" },
    ],
    ...overrides,
  });
}
