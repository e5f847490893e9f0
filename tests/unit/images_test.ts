/**
 * The images client against the fake provider: endpoints per dialect, b64 and URL results, error
 * classification as `ProviderError`s (retryable with Retry-After, permanent with the provider's
 * message, key redacted), timeouts, the caller's explained abort, bad results; plus the request limits checked at job creation and the jobs settings.
 */
import assert from "node:assert/strict";
import { parseImageUrlTtl } from "../../shared/images/config.ts";
import { parseWorkerConfig } from "../../shared/queue/config.ts";
import { imageRequestProblems } from "../../shared/llm/image-limits.ts";
import { ProviderError } from "../../shared/llm/errors.ts";
import { generateImages, imagesEndpoint, type ImageTarget } from "../../shared/llm/images.ts";
import { setDestinationPolicy } from "../../shared/llm/destinations.ts";
import { PNG_BYTES, startFakeImages } from "../helpers/fake_images.ts";

// The fake providers listen on 127.0.0.1: allowed here, as the local stack allows them for its functions.
setDestinationPolicy({ allowPrivate: true });

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

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => undefined, (error) => error);
  assert.ok(error instanceof ProviderError, String(error));
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
    assert.deepEqual([limited.permanent, limited.kind, limited.retryAfter], [false, "rate_limit", 17]);
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
  assert.deepEqual([unreachable.permanent, unreachable.kind], [false, "network"]);
  assert.equal(unreachable.message.includes(KEY), false);
});

Deno.test("an abort that explains itself is the error's reason (the worker's budget); a plain one is an abort", async () => {
  await withFake(async (target, fake) => {
    fake.script({ hold: true }, { hold: true });
    const budget = new AbortController();
    const cut = failure(generate(target, "dall-e-3", budget.signal));
    await fake.arrived(1);
    budget.abort(new Error("was still working when the worker's time budget ran out"));
    const explained = await cut;
    assert.deepEqual([explained.kind, explained.permanent, explained.message], [
      "timeout",
      false,
      "openai was still working when the worker's time budget ran out",
    ]);
    const caller = new AbortController();
    const dropped = failure(generate(target, "dall-e-3", caller.signal));
    await fake.arrived(2);
    caller.abort();
    assert.deepEqual([(await dropped).kind, (await dropped).message], ["aborted", "openai request aborted"]);
  });
});

Deno.test("bad results: no image, not JSON, a URL that is not an image, an image too large", async () => {
  await withFake(async (target, fake) => {
    fake.script({ asUrl: true });
    const tooLarge = await failure(
      generateImages(target, { prompt: "a cat", model: "gpt-image-1" }, {
        signal: AbortSignal.timeout(5000),
        maxImageBytes: 10,
      }),
    );
    assert.deepEqual([tooLarge.kind, tooLarge.permanent, tooLarge.message], [
      "bad_response",
      true,
      "openai sent an image that is too large",
    ]);
  });
  const answering = (body: BodyInit) =>
    Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, () => new Response(body));
  for (
    const [body, message] of [
      [JSON.stringify({ data: [] }), "openai answered without any image"],
      ["<html>", "openai answered with a body that is not JSON"],
      [JSON.stringify({ data: [{ url: "http://127.0.0.1:9/x.png" }] }), "openai could not be reached"],
    ]
  ) {
    const server = answering(body);
    const baseUrl = `http://127.0.0.1:${server.addr.port}/v1`;
    const error = await failure(generate({ provider: "openai", api: "openai", baseUrl, apiKey: KEY }));
    assert.ok(error.message.startsWith(message), error.message);
    assert.equal(error.permanent, false);
    await server.shutdown();
  }
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
