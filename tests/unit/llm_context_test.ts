/** Fitting a history into a context window (shared/llm/chat/context.ts). */
import assert from "node:assert/strict";
import { type ChatMessage, estimateTokens, trimToContextWindow } from "../../shared/llm/chat/mod.ts";

const message = (role: ChatMessage["role"], content: string): ChatMessage => ({ role, content });
/** One token per character, no framing: budgets below are counted in characters. */
const chars = (m: ChatMessage) => m.content.length;

Deno.test("the estimate is chars/4 rounded up, plus 4 per message", () => {
  assert.equal(estimateTokens(message("user", "")), 4);
  assert.equal(estimateTokens(message("user", "abcde")), 6);
});

Deno.test("a history that fits is kept whole, in order", () => {
  const history = [
    message("system", "sys"),
    message("user", "q1"),
    message("assistant", "a1"),
    message("user", "q2"),
  ];
  assert.deepEqual(trimToContextWindow(history, { contextWindow: 100, estimate: chars }), history);
});

Deno.test("the oldest turns go first; system messages always stay, wherever they are", () => {
  const history = [
    message("system", "S".repeat(10)),
    message("user", "old question"),
    message("assistant", "old answer"),
    message("user", "newer q"),
    message("assistant", "newer a"),
    message("user", "latest"),
  ];
  const kept = trimToContextWindow(history, { contextWindow: 10 + 7 + 7 + 6, estimate: chars });
  assert.deepEqual(kept.map((m) => m.content), ["S".repeat(10), "newer q", "newer a", "latest"]);
});

Deno.test("reserveTokens keeps room for the reply", () => {
  const history = [message("user", "aaaa"), message("assistant", "bbbb"), message("user", "cccc")];
  assert.equal(trimToContextWindow(history, { contextWindow: 12, estimate: chars }).length, 3);
  assert.deepEqual(
    trimToContextWindow(history, { contextWindow: 12, reserveTokens: 4, estimate: chars }).map((m) =>
      m.content
    ),
    ["cccc"],
  );
});

Deno.test("after trimming, the kept history starts with the user's turn, not an orphaned reply", () => {
  const history = [message("user", "q1"), message("assistant", "a1-long"), message("user", "q2")];
  // Room for the answer and the new question, but not the question that the answer answered.
  const kept = trimToContextWindow(history, { contextWindow: 9, estimate: chars });
  assert.deepEqual(kept.map((m) => m.content), ["q2"]);
});

Deno.test("the newest message is kept even when it alone is over budget", () => {
  const history = [message("system", "sys"), message("user", "old"), message("user", "x".repeat(500))];
  const kept = trimToContextWindow(history, { contextWindow: 50, estimate: chars });
  assert.deepEqual(kept.map((m) => m.role), ["system", "user"]);
  assert.equal(kept[1].content.length, 500);
});
