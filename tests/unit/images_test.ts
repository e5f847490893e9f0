/**
 * The images client against the fake provider: endpoints per dialect, b64 and URL results, error
 * classification (retryable with Retry-After, permanent with the provider's message, key redacted),
 * timeouts; plus the request limits checked at job creation and the jobs settings.
 */
import assert from "node:assert/strict";
import { parseImageUrlTtl } from "../../shared/images/config.ts";
import { parseWorkerConfig } from "../../shared/queue/config.ts";
import { imageRequestProblems } from "../../shared/llm/image-limits.ts";
import { parseRetryAfter } from "../../shared/llm/image-errors.ts";
import {
  generateImages,
  ImageGenerationError,
  imagesEndpoint,
  type ImageTarget,
} from "../../shared/llm/images.ts";
import { PNG_BYTES, startFakeImages } from "../helpers/fake_images.ts";

const KEY = "sk-unit-test-key-0123456789";

async function withFake(
  run: (target: ImageTarget, fake: ReturnType<typeof startFakeImages>) => Promise<void>,
) {
  const fake = startFakeImages();
  try {
    await run({ provider: "openai", api: "openai", baseUrl: fake.baseUrl, apiKey: KEY }, fake);
  } finally {
    fake.release();
    await fake.close();
  }
}

const generate = (target: ImageTarget, model = "dall-e-3", signal = AbortSignal.timeout(5000)) =>
  generateImages(target, { prompt: "a cat", model }, { signal });

async function failure(promise: Promise<unknown>): Promise<ImageGenerationError> {
  const error = await promise.then(() => undefined, (error) => error);
  assert.ok(error instanceof ImageGenerationError, String(error));
  return error;
}

Deno.test("endpoints: OpenAI-style under the base URL, ImageRouter under /v1/openai", () => {
  assert.equal(
    imagesEndpoint("openai", "https://api.openai.com/v1/"),
    "https://api.openai.com/v1/images/generations",
  );
  for (
    const base of [
      "https://api.imagerouter.io/v1",
      "https://api.imagerouter.io",
      "https://api.imagerouter.io/v1/openai",
    ]
  ) {
    assert.equal(
      imagesEndpoint("imagerouter", base),
      "https://api.imagerouter.io/v1/openai/images/generations",
    );
  }
});

Deno.test("b64_json and url results both come back as image bytes", async () => {
  await withFake(async (target, fake) => {
    const { images } = await generate(target);
    assert.deepEqual(images[0].bytes, PNG_BYTES);
    assert.equal(images[0].contentType, "image/png");
    assert.equal(images[0].revisedPrompt, "fake: a cat");
    assert.equal(fake.requests[0].body.response_format, "b64_json");
    assert.equal(fake.requests[0].authorization, `Bearer ${KEY}`);

    fake.script({ asUrl: true });
    const fromUrl = await generate(target, "gpt-image-1");
    assert.deepEqual(fromUrl.images[0].bytes, PNG_BYTES);
    assert.equal(
      "response_format" in fake.requests[1].body,
      false,
      "GPT image models refuse response_format",
    );
  });
});

Deno.test("timeouts, 429 and 5xx are retryable; 429 carries Retry-After", async () => {
  await withFake(async (target, fake) => {
    fake.script({ status: 429, message: "rate limited", retryAfter: "17" }, { status: 503 }, {
      delayMs: 600,
    });
    const limited = await failure(generate(target));
    assert.deepEqual([limited.permanent, limited.kind, limited.retryAfterSeconds], [
      false,
      "rate_limited",
      17,
    ]);
    const down = await failure(generate(target));
    assert.deepEqual([down.permanent, down.status], [false, 503]);
    const slow = await failure(generate(target, "dall-e-3", AbortSignal.timeout(200)));
    assert.deepEqual([slow.permanent, slow.kind, slow.message], [
      false,
      "timeout",
      "openai did not answer in time",
    ]);
  });
  const unreachable = await failure(
    generate({ provider: "openai", api: "openai", baseUrl: "http://127.0.0.1:9", apiKey: KEY }),
  );
  assert.equal(unreachable.permanent, false);
});

Deno.test("400/401/403/404/422 are permanent, with the provider's message and the key redacted", async () => {
  await withFake(async (target, fake) => {
    for (const status of [400, 401, 403, 404, 422]) {
      fake.script({ status, message: `nope (${status}) for ${KEY}` });
      const error = await failure(generate(target));
      assert.equal(error.permanent, true, String(status));
      assert.equal(error.message, `openai answered ${status}: nope (${status}) for [redacted]`);
    }
  });
});

Deno.test("Retry-After as seconds or an HTTP date, capped at an hour", () => {
  const now = Date.parse("2026-01-01T00:00:00Z");
  assert.equal(parseRetryAfter("30", now), 30);
  assert.equal(parseRetryAfter("Thu, 01 Jan 2026 00:02:00 GMT", now), 120);
  assert.equal(parseRetryAfter("999999", now), 3600);
  assert.equal(parseRetryAfter("soon", now), null);
  assert.equal(parseRetryAfter(null, now), null);
});

Deno.test("request limits per model family", () => {
  const problems = (model: string, extra: Record<string, unknown>) =>
    imageRequestProblems("openai", { prompt: "x", model, ...extra }).map((p) => p.field);
  assert.deepEqual(problems("dall-e-3", { n: 2, size: "256x256", quality: "low" }), ["n", "size", "quality"]);
  assert.deepEqual(problems("dall-e-2", { n: 10, size: "512x512" }), []);
  assert.deepEqual(problems("gpt-image-1", { size: "auto", quality: "high" }), []);
  assert.deepEqual(problems("some/other-model", { size: "5000x5000" }), ["size"]);
  assert.deepEqual(
    imageRequestProblems("imagerouter", { prompt: "x", model: "a/b", quality: "hd" }).map((p) => p.field),
    [
      "quality",
    ],
  );
});

Deno.test("jobs settings: defaults inside the wall clock, bad values named", () => {
  const defaults = parseWorkerConfig({});
  assert.equal(defaults.budgetMs, 100_000);
  assert.ok(defaults.leaseSeconds * 1000 > defaults.budgetMs, "the lease outlives the invocation");
  assert.equal(defaults.jobTimeoutMs, 90_000);
  assert.equal(parseImageUrlTtl({}), 3600);
  assert.equal(parseImageUrlTtl({ JOB_IMAGE_URL_TTL_SECONDS: "120" }), 120);
  assert.throws(() => parseImageUrlTtl({ JOB_IMAGE_URL_TTL_SECONDS: "5" }), /JOB_IMAGE_URL_TTL_SECONDS/);
  assert.equal(parseWorkerConfig({ WORKER_BUDGET_MS: "9000" }).minJobMs, 3000);
  assert.throws(() => parseWorkerConfig({ WORKER_CONCURRENCY: "0" }), /WORKER_CONCURRENCY/);
  assert.throws(() => parseWorkerConfig({ WORKER_BUDGET_MS: "abc" }), /WORKER_BUDGET_MS/);
});
