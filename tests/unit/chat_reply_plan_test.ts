/** What a reply sends (system prompt, trimmed history) and how a chat's title is made. */
import assert from "node:assert/strict";
import { DEFAULT_CONTEXT_WINDOW, promptMessages } from "../../shared/chats/reply-plan.ts";
import { cleanTitle, shortenTitle } from "../../shared/chats/titles.ts";
import type { ModelConfiguration } from "../../shared/models/schemas.ts";

function model(settings: Partial<ModelConfiguration["settings"]>): ModelConfiguration {
  const now = new Date().toISOString();
  return {
    id: crypto.randomUUID(),
    user_id: crypto.randomUUID(),
    provider_id: null,
    provider: "groq",
    name: "m",
    model: "m",
    display_name: null,
    description: null,
    is_default: true,
    is_active: true,
    created_at: now,
    updated_at: now,
    settings: {
      temperature: 0.7,
      max_tokens: 2048,
      top_p: 1,
      frequency_penalty: 0,
      presence_penalty: 0,
      system_prompt: null,
      vision: null,
      metadata: {},
      ...settings,
    },
  };
}

const turns = (count: number, chars: number) =>
  Array.from({ length: count }, (_, i) => ({
    role: i % 2 === 0 ? "user" as const : "assistant" as const,
    content: `t${i + 1}`.padEnd(chars, "."),
  }));

Deno.test("the system prompt leads; the newest turns that fit the window, minus the reply's room, follow", () => {
  const history = turns(9, 396); // 103 estimated tokens each
  const settings = { system_prompt: "  Be brief. ", max_tokens: 100, metadata: { context_window: 430 } };
  const sent = promptMessages(model(settings), history);
  assert.deepEqual(sent.map((m) => m.content.slice(0, 2)), ["Be", "t7", "t8", "t9"]);
  assert.equal(sent[0].content, "Be brief.");
  // A dropped turn never leaves the kept history starting with the assistant.
  const odd = promptMessages(model({ max_tokens: 100, metadata: { context_window: 430 } }), turns(4, 396));
  assert.equal(odd[0].role, "user");
});

Deno.test("without a known window the default applies; max_tokens reserves at most half the window", () => {
  const history = turns(400, 400); // ~41 000 estimated tokens
  const sent = promptMessages(model({ max_tokens: 1_000_000 }), history);
  const tokens = sent.reduce((sum, m) => sum + Math.ceil(m.content.length / 4) + 4, 0);
  // Within two turns of the budget: the next turn did not fit, and a leading assistant turn goes too.
  assert.ok(
    tokens <= DEFAULT_CONTEXT_WINDOW / 2 && tokens > DEFAULT_CONTEXT_WINDOW / 2 - 208,
    String(tokens),
  );
  assert.equal(sent.at(-1), history.at(-1));
  assert.equal(
    promptMessages(model({ system_prompt: "   " }), history.slice(0, 1)).length,
    1,
    "blank prompt: none",
  );
});

Deno.test("titles: the model's answer cleaned up, or the first message cut at a word", () => {
  assert.equal(cleanTitle('Title: "Capital of France".'), "Capital of France");
  assert.equal(cleanTitle("**Title:** Weekend plans\nMore text"), "Weekend plans");
  assert.equal(cleanTitle("  “Quantum computing basics”  "), "Quantum computing basics");
  assert.equal(cleanTitle(""), "");
  assert.equal(shortenTitle("  Hello\n  world  "), "Hello world");
  const long = shortenTitle(
    "Could you please explain, in simple words and with an example or two, how it works?",
  );
  assert.equal(long, "Could you please explain, in simple words and with an…");
  assert.ok(long.length <= 60);
  assert.equal(shortenTitle("x".repeat(100)).length, 60);
});
