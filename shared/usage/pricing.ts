/**
 * What a reply cost, where the model's list price is known: USD per million tokens (input, output)
 * as the providers published them in 2025. A model not listed here has no `cost_usd`; prices
 * change, so this is an estimate for the user's own overview, never a bill.
 * @module
 */

/** [input, output] USD per 1,000,000 tokens. */
const PRICES: Record<string, readonly [number, number]> = {
  "gpt-4o": [2.5, 10],
  "gpt-4o-mini": [0.15, 0.6],
  "gpt-4.1": [2, 8],
  "gpt-4.1-mini": [0.4, 1.6],
  "gpt-4.1-nano": [0.1, 0.4],
  "o3-mini": [1.1, 4.4],
  "o4-mini": [1.1, 4.4],
  "gpt-3.5-turbo": [0.5, 1.5],
  "claude-3-5-sonnet": [3, 15],
  "claude-3-7-sonnet": [3, 15],
  "claude-sonnet-4": [3, 15],
  "claude-3-5-haiku": [0.8, 4],
  "claude-opus-4": [15, 75],
  "llama-3.1-8b-instant": [0.05, 0.08],
  "llama-3.3-70b-versatile": [0.59, 0.79],
  "mistral-large-latest": [2, 6],
  "mistral-small-latest": [0.2, 0.6],
};

/** The price list's name of a model id: OpenRouter's `vendor/` prefix and a dated suffix dropped. */
function listedName(model: string): string | undefined {
  const bare = model.toLowerCase().replace(/^[\w.-]+\//, "");
  if (PRICES[bare]) return bare;
  const undated = bare.replace(/-(\d{4}-\d{2}-\d{2}|\d{8}|latest)$/, "");
  return PRICES[undated] ? undated : undefined;
}

/** The reply's cost in USD (rounded to a millionth of a cent), or undefined for a model not listed. */
export function costUsd(model: string, promptTokens: number, completionTokens: number): number | undefined {
  const name = listedName(model);
  if (!name) return undefined;
  const [input, output] = PRICES[name];
  return Number(((promptTokens * input + completionTokens * output) / 1e6).toFixed(8));
}
