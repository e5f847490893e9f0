/**
 * The one provider error and transport (shared/llm/errors.ts, shared/llm/transport.ts): Retry-After
 * in all its forms (rounded up, capped), permanent vs retryable per status and kind, key scrubbing,
 * errors read from answers, and the deadline (idle, fixed, explained, following its parent).
 */
import assert from "node:assert/strict";
import {
  errorFromResponse,
  isPermanentStatus,
  MAX_RETRY_AFTER_SECONDS,
  ProviderError,
  retryAfterSeconds,
  scrubKey,
  stoppedError,
} from "../../shared/llm/errors.ts";
import { deadline, stoppedBy } from "../../shared/llm/transport.ts";

const KEY = "sk-test-0123456789abcdef";
const NOW = Date.parse("2026-01-01T00:00:00Z");
const after = (headers: Record<string, string>) => retryAfterSeconds(new Headers(headers), NOW);

Deno.test("Retry-After: seconds, an HTTP date, retry-after-ms first; whole seconds rounded up, capped at an hour", () => {
  assert.equal(after({ "retry-after": "30" }), 30);
  assert.equal(after({ "retry-after": " 2.2 " }), 3);
  assert.equal(after({ "retry-after": "Thu, 01 Jan 2026 00:01:00 GMT" }), 60);
  assert.equal(after({ "retry-after": "Wed, 31 Dec 2025 23:00:00 GMT" }), 0, "a date gone by: now");
  assert.equal(after({ "retry-after-ms": "1500", "retry-after": "9" }), 2);
  assert.equal(after({ "retry-after-ms": "soon", "retry-after": "9" }), 9);
  assert.equal(after({ "retry-after": "999999" }), MAX_RETRY_AFTER_SECONDS);
  assert.equal(MAX_RETRY_AFTER_SECONDS, 3600);
  assert.equal(after({ "retry-after": "soon" }), null);
  assert.equal(after({ "retry-after": "-5" }), null);
  assert.equal(after({}), null);
});

Deno.test("permanent: every 4xx but 408/409/425/429; 5xx and status-less timeouts/network are retryable", () => {
  for (const status of [400, 401, 402, 403, 404, 405, 413, 415, 422, 451]) {
    assert.equal(isPermanentStatus(status), true, String(status));
    assert.equal(new ProviderError({ provider: "openai", status, providerMessage: "no" }).permanent, true);
  }
  for (const status of [408, 409, 425, 429, 500, 502, 503, 529]) {
    assert.equal(isPermanentStatus(status), false, String(status));
    assert.equal(
      new ProviderError({ provider: "openai", status, providerMessage: "later" }).permanent,
      false,
    );
  }
  const withoutStatus = (kind: ProviderError["kind"]) =>
    new ProviderError({ provider: "groq", status: null, kind, providerMessage: "x" }).permanent;
  assert.deepEqual(
    (["timeout", "network", "aborted", "bad_response", "bad_request"] as const).map(withoutStatus),
    [false, false, false, false, true],
  );
  const overridden = new ProviderError({
    provider: "openai",
    status: 200,
    providerMessage: "x",
    permanent: true,
  });
  assert.equal(overridden.permanent, true);
});

Deno.test("kinds and messages: '<provider> answered <status>: ...' with an answer, our words without", () => {
  const limited = new ProviderError({ provider: "openai", status: 429, providerMessage: "Slow down." });
  assert.deepEqual([limited.kind, limited.reason, limited.message], [
    "rate_limit",
    "answered 429: Slow down.",
    "openai answered 429: Slow down.",
  ]);
  const kinds = [401, 402, 408, 400, 503].map((status) =>
    new ProviderError({ provider: "openai", status, providerMessage: "x" }).kind
  );
  assert.deepEqual(kinds, ["auth", "payment", "timeout", "bad_request", "server"]);
  const slow = new ProviderError({
    provider: "groq",
    status: null,
    kind: "timeout",
    providerMessage: "late",
  });
  assert.equal(slow.message, "groq late");
});

Deno.test("the key is scrubbed from what a provider echoes; an empty key scrubs nothing", async () => {
  assert.equal(scrubKey(`bad key ${KEY}, really ${KEY}`, KEY), "bad key [redacted], really [redacted]");
  assert.equal(scrubKey("no key here", ""), "no key here");
  const answer = Response.json({ error: { message: `Incorrect API key: ${KEY}`, code: "invalid_api_key" } }, {
    status: 401,
    headers: { "retry-after": "4" },
  });
  const error = await errorFromResponse(answer, "openai", KEY);
  assert.deepEqual([error.status, error.code, error.retryAfter, error.permanent], [
    401,
    "invalid_api_key",
    4,
    true,
  ]);
  assert.equal(error.providerMessage, "Incorrect API key: [redacted]");
  const plain = await errorFromResponse(
    new Response("  ", { status: 502, statusText: "Bad Gateway" }),
    "groq",
    KEY,
  );
  assert.equal(plain.message, "groq answered 502: Bad Gateway");
});

Deno.test("a stopped call says why: an explained reason, a timeout, or the caller's abort", () => {
  const budget = stoppedError("openai", new Error("was still working when the worker's time budget ran out"));
  assert.deepEqual([budget.kind, budget.message], [
    "timeout",
    "openai was still working when the worker's time budget ran out",
  ]);
  const timedOut = stoppedError("openai", new DOMException("Signal timed out.", "TimeoutError"));
  assert.deepEqual([timedOut.kind, timedOut.message], ["timeout", "openai did not answer in time"]);
  const aborted = stoppedError("openai", new DOMException("The signal has been aborted", "AbortError"));
  assert.deepEqual([aborted.kind, aborted.permanent], ["aborted", false]);
});

const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

Deno.test("deadline: its own time runs out as 'timed out after', or in its explanation's words", async () => {
  const fixed = deadline(50);
  assert.equal(stoppedBy(fixed, "groq"), null);
  await wait(80);
  assert.equal(stoppedBy(fixed, "groq")?.message, "groq timed out after 0.1 s");
  assert.equal(fixed.signal.reason.name, "TimeoutError");
  fixed.clear();

  const budget = deadline(20, { explanation: "ran out of budget" });
  const child = deadline(Infinity, { parent: budget.signal });
  await wait(50);
  assert.equal(child.signal.reason.message, "ran out of budget", "a child takes its parent's reason");
  assert.equal(stoppedBy(child, "openai")?.message, "openai ran out of budget");
  child.clear();
  budget.clear();
});

Deno.test("deadline: touching an idle one starts its time again; a fixed one ignores touches", async () => {
  const idle = deadline(60, { idle: true });
  const fixed = deadline(60);
  for (let i = 0; i < 4; i++) {
    await wait(30);
    idle.touch();
    fixed.touch();
  }
  assert.equal(idle.signal.aborted, false);
  assert.equal(fixed.signal.aborted, true);
  idle.clear();
  fixed.clear();

  // The time runs from the last touch: still alive past its first timer, silent long enough it expires.
  const touched = deadline(100, { idle: true });
  await wait(60);
  touched.touch();
  await wait(60);
  assert.equal(touched.signal.aborted, false, "120 ms in, 60 ms after the touch");
  await wait(150);
  assert.equal(touched.signal.aborted, true, "210 ms after the touch");
  touched.clear();

  const parent = new AbortController();
  parent.abort();
  const late = deadline(1000, { parent: parent.signal });
  assert.equal(stoppedBy(late, "openai")?.kind, "aborted", "a parent already aborted stops it at once");
  late.clear();
});
