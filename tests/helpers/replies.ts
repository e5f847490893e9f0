/**
 * Reply test helpers: a user whose chats are answered by a fake LLM server (provider activated and
 * model imported through the API), streamed replies read as parsed server-sent events, and polling
 * for what the server finishes after the response.
 * @module
 */
import assert from "node:assert/strict";
import { createParser, type EventSourceMessage } from "eventsource-parser";
import { apiUrl, call, signUpUser, type TestUser } from "./api.ts";
import { withDb } from "./chats.ts";
import type { FakeLlm } from "./fake_llm.ts";
import { testKey } from "./providers.ts";

export interface ModelUser {
  user: TestUser;
  /** The provider key the user activated (to prove it never leaks). */
  key: string;
  /** The saved model configuration's id. */
  modelId: string;
}

export interface ModelOptions {
  model?: string;
  /** Make it the user's default model (default true). */
  isDefault?: boolean;
  /** Columns of public.model_configs to set after the import (system_prompt, max_tokens, ...). */
  settings?: Record<string, string | number>;
  key?: string;
}

/** Activates `provider` at the fake for `user` and imports one of the fake's models (catalogue-checked). */
export async function addFakeModel(
  user: TestUser,
  fake: FakeLlm,
  provider: string,
  options: ModelOptions = {},
) {
  const key = options.key ?? testKey();
  const activated = await call("/v1/providers/activate", {
    method: "POST",
    token: user.token,
    body: { provider, api_key: key, base_url: fake.baseUrl },
  });
  assert.equal(activated.status, 200, JSON.stringify(activated.body));
  const imported = await call("/v1/models/import", {
    method: "POST",
    token: user.token,
    body: { provider, models: [options.model ?? "fake-model"] },
  });
  assert.equal(imported.status, 200, JSON.stringify(imported.body));
  const modelId: string = imported.body[0].id;
  if (options.isDefault ?? true) {
    const made = await call(`/v1/models/${modelId}/default`, { method: "POST", token: user.token, body: {} });
    assert.equal(made.status, 200, JSON.stringify(made.body));
  }
  if (options.settings) {
    await withDb((sql) =>
      sql`update public.model_configs set ${sql(options.settings!)} where id = ${modelId}`
    );
  }
  return { key, modelId };
}

/** A new user with one provider at the fake and its model as the default. */
export async function userWithFakeModel(fake: FakeLlm, provider: string, options: ModelOptions = {}) {
  const user = await signUpUser();
  return { user, ...await addFakeModel(user, fake, provider, options) } satisfies ModelUser;
}

/** One server-sent event, its data parsed. */
export interface StreamEvent {
  id?: string;
  event?: string;
  // deno-lint-ignore no-explicit-any
  data: any;
  /** Milliseconds after the request was sent. */
  at: number;
}

export interface StreamResult {
  status: number;
  headers: Headers;
  events: StreamEvent[];
  comments: string[];
  /** The concatenated `delta` texts. */
  text: string;
}

/** POSTs a streamed message and reads events until the server ends the stream (or `stopAfter` says stop). */
export async function streamMessage(
  user: TestUser,
  chatId: string,
  content: string,
  stopAfter?: (event: StreamEvent) => boolean,
): Promise<StreamResult> {
  const started = performance.now();
  const response = await fetch(`${apiUrl}/v1/chats/${chatId}/messages`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
    body: JSON.stringify({ content, stream: true }),
  });
  const events: StreamEvent[] = [];
  const comments: string[] = [];
  let stop = false;
  const parser = createParser({
    onEvent: (message: EventSourceMessage) => {
      const event = {
        id: message.id,
        event: message.event,
        data: JSON.parse(message.data),
        at: performance.now() - started,
      };
      events.push(event);
      stop ||= stopAfter?.(event) ?? false;
    },
    onComment: (comment) => comments.push(comment.trim()),
  });
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  while (!stop) {
    const { done, value } = await reader.read();
    if (done) break;
    parser.feed(value);
  }
  await reader.cancel();
  const text = events.filter((e) => e.event === "delta").map((e) => e.data.text).join("");
  return { status: response.status, headers: response.headers, events, comments, text };
}

/** Polls `read` until `ready` accepts its value (or fails after `timeoutMs`). */
export async function eventually<T>(read: () => Promise<T>, ready: (value: T) => boolean, timeoutMs = 8000) {
  const deadline = Date.now() + timeoutMs;
  while (true) {
    const value = await read();
    if (ready(value)) return value;
    if (Date.now() > deadline) assert.fail(`not ready after ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** The chat's messages through the API. */
export async function messagesOf(user: TestUser, chatId: string) {
  const { status, body } = await call(`/v1/chats/${chatId}/messages`, { token: user.token });
  assert.equal(status, 200);
  return body as { role: string; content: string; metadata: Record<string, unknown> }[];
}
