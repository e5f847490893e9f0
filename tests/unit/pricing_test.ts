import assert from "node:assert/strict";
import { costUsd } from "../../shared/usage/pricing.ts";

Deno.test("a listed model's cost, under its dated and OpenRouter names too; none for an unlisted one", () => {
  assert.equal(costUsd("gpt-4o-mini", 1_000_000, 1_000_000), 0.75);
  assert.equal(costUsd("gpt-4o-mini-2024-07-18", 1000, 0), 0.00015);
  assert.equal(costUsd("openai/gpt-4o", 0, 1000), 0.01);
  assert.equal(costUsd("claude-3-5-haiku-20241022", 1_000_000, 0), 0.8);
  assert.equal(costUsd("fake-model", 10, 10), undefined);
  assert.equal(costUsd("gpt-4o-mini", 0, 0), 0);
});
