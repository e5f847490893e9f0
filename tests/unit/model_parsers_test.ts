import assert from "node:assert/strict";
import { TtlCache } from "../../shared/llm/catalogue/cache.ts";
import { fetchModelCatalogue } from "../../shared/llm/catalogue/client.ts";
import { MODEL_LIST_PARSERS } from "../../shared/llm/catalogue/parsers/index.ts";
import { describeErrorBody, ProviderError, scrubKey } from "../../shared/llm/errors.ts";
import { PROVIDER_IDS } from "../../shared/llm/providers.ts";
import { startFakeProvider } from "../helpers/fake_providers.ts";
import { badKeyBody, LISTED_IDS, MODEL_LISTS } from "../helpers/provider_fixtures.ts";
import { setDestinationPolicy } from "../../shared/llm/destinations.ts";

// The fake providers listen on 127.0.0.1: allowed here, as the local stack allows them for its functions.
setDestinationPolicy({ allowPrivate: true });

const byId = (provider: keyof typeof MODEL_LISTS) =>
  new Map(MODEL_LIST_PARSERS[provider](MODEL_LISTS[provider]).map((model) => [model.id, model]));

Deno.test("every provider's documented list parses to the models it should show", () => {
  for (const provider of PROVIDER_IDS) {
    const models = MODEL_LIST_PARSERS[provider](MODEL_LISTS[provider]);
    assert.deepEqual(models.map((model) => model.id), LISTED_IDS[provider], provider);
    for (const model of models) {
      assert.equal(model.provider, provider);
      assert.equal(model.is_active, true);
      assert.equal(typeof model.name, "string");
    }
  }
});

Deno.test("OpenAI and DeepSeek: ids and owners, no context or pricing", () => {
  const model = byId("openai").get("gpt-4o-mini")!;
  assert.equal(model.name, "gpt-4o-mini");
  assert.equal(model.context_window, null);
  assert.equal(model.pricing, null);
  assert.deepEqual(model.metadata, { owned_by: "system", created: 1721172741 });
  assert.equal(byId("deepseek").get("deepseek-reasoner")!.metadata.owned_by, "deepseek");
});

Deno.test("Groq: context window and max completion tokens; inactive rows hidden", () => {
  const models = byId("groq");
  assert.equal(models.has("gemma-7b-it"), false);
  const gptOss = models.get("openai/gpt-oss-120b")!;
  assert.equal(gptOss.context_window, 131072);
  assert.equal(gptOss.max_output_tokens, 65536);
  assert.equal(models.get("llama-3.1-8b-instant")!.name, "Llama 3.1 8B Instant");
  assert.deepEqual(models.get("llama-3.1-8b-instant")!.metadata.input_modalities, ["text"]);
});

Deno.test("OpenRouter: context length, max completion tokens, pricing per million tokens", () => {
  const models = byId("openrouter");
  const mini = models.get("openai/gpt-4o-mini")!;
  assert.equal(mini.name, "OpenAI: GPT-4o-mini");
  assert.equal(mini.context_window, 128000);
  assert.equal(mini.max_output_tokens, 16384);
  assert.deepEqual(mini.pricing, {
    currency: "USD",
    input_per_million: 0.15,
    output_per_million: 0.6,
    per_request: 0,
    per_image: 0.000217,
  });
  assert.match(mini.description!, /GPT-4o mini/);
  // "-1" means the price varies: not a price.
  assert.equal(models.get("openrouter/auto")!.pricing, null);
});

Deno.test("ImageRouter: the catalogue is an object keyed by model id; cheapest price per image", () => {
  const models = byId("imagerouter");
  const flux = models.get("black-forest-labs/FLUX-1.1-pro")!;
  assert.deepEqual(flux.pricing, { currency: "USD", per_image: 0.04 });
  assert.deepEqual(flux.metadata.output, ["image"]);
  assert.deepEqual(flux.metadata.upstream_providers, ["runware"]);
  assert.equal(models.get("openai/gpt-image-1")!.pricing!.per_image, 0.011);
  // The v2 array form is read too.
  const v2 = MODEL_LIST_PARSERS.imagerouter([{ id: "test/test", providers: [], output: ["image"] }]);
  assert.deepEqual(v2.map((model) => model.id), ["test/test"]);
});

Deno.test("Anthropic: display names and, when present, token limits", () => {
  const models = byId("anthropic");
  assert.equal(models.get("claude-sonnet-4-5")!.name, "Claude Sonnet 4.5");
  assert.equal(models.get("claude-opus-4-1")!.context_window, 200000);
  assert.equal(models.get("claude-opus-4-1")!.max_output_tokens, 32000);
  assert.equal(models.get("claude-sonnet-4-5")!.context_window, null);
});

Deno.test("Mistral: aliases collapse to the canonical id; embeddings and deprecated models hidden", () => {
  const [large, ...rest] = MODEL_LIST_PARSERS.mistral(MODEL_LISTS.mistral);
  assert.equal(rest.length, 0);
  assert.equal(large.id, "mistral-large-2411");
  assert.deepEqual(large.metadata.aliases, ["mistral-large-latest"]);
  assert.equal(large.context_window, 131072);
  // A deprecation date still ahead keeps the model listed.
  const future = { data: [{ id: "m-1", name: "m-1", deprecation: "2999-01-01T00:00:00Z", aliases: [] }] };
  assert.equal(MODEL_LIST_PARSERS.mistral(future).length, 1);
});

Deno.test("rows that are not models are skipped, odd fields read as null", () => {
  const body = { data: [{ id: "ok", context_window: "big", active: "yes" }, { name: "no id" }, 42, null] };
  const models = MODEL_LIST_PARSERS.groq(body);
  assert.deepEqual(models.map((model) => model.id), ["ok"]);
  assert.equal(models[0].context_window, null);
  for (const provider of PROVIDER_IDS) assert.deepEqual(MODEL_LIST_PARSERS[provider]("<html>"), [], provider);
});

Deno.test("upstream reasons are read from each provider's error body, with the key redacted", () => {
  const key = "sk-test-0123456789abcdef";
  for (const provider of PROVIDER_IDS) {
    assert.ok(describeErrorBody(badKeyBody(provider, key)).message, provider);
  }
  assert.equal(describeErrorBody({ detail: "Unauthorized" }).message, "Unauthorized");
  assert.equal(scrubKey(`bad key ${key}!`, key), "bad key [redacted]!");
  const long = new ProviderError({ provider: "groq", status: 400, providerMessage: "x".repeat(1000) });
  assert.ok(long.providerMessage.length <= 501);
});

Deno.test("the client follows Anthropic's cursor pages and sends its headers", async () => {
  await using fake = startFakeProvider("anthropic", { pageSize: 2 });
  const models = await fetchModelCatalogue({
    provider: "anthropic",
    baseUrl: fake.baseUrl,
    apiKey: "sk-ant-0123456789abcdef",
    timeoutMs: 5000,
  });
  assert.deepEqual(models.map((model) => model.id), LISTED_IDS.anthropic);
  assert.equal(fake.count("/models"), 2);
  assert.equal(fake.requests[1].search.includes("after_id=claude-opus-4-1"), true);
});

Deno.test("the client's failures: bad key, public list with key check, timeout, outage, not a list", async () => {
  const source = (baseUrl: string, provider: "groq" | "openrouter") => ({
    provider,
    baseUrl,
    apiKey: "gsk_0123456789abcdef",
    timeoutMs: 300,
  });
  const kindOf = (error: unknown) => (error as ProviderError).kind;
  await using groq = startFakeProvider("groq");
  await using openrouter = startFakeProvider("openrouter");
  groq.behaviour.rejectKeys = true;
  openrouter.behaviour.rejectKeys = true;
  await assert.rejects(
    fetchModelCatalogue(source(groq.baseUrl, "groq")),
    (e) => kindOf(e) === "auth",
  );
  // OpenRouter lists models to anyone: only the key check catches a bad key.
  assert.equal((await fetchModelCatalogue(source(openrouter.baseUrl, "openrouter"))).length, 2);
  await assert.rejects(
    fetchModelCatalogue(source(openrouter.baseUrl, "openrouter"), { checkKey: true }),
    (e) => kindOf(e) === "auth" && /User not found/.test((e as ProviderError).reason),
  );
  groq.behaviour.rejectKeys = false;
  groq.behaviour.delayMs = 2000;
  await assert.rejects(fetchModelCatalogue(source(groq.baseUrl, "groq")), (e) => kindOf(e) === "timeout");
  groq.behaviour.delayMs = 0;
  groq.behaviour.failStatus = 503;
  await assert.rejects(
    fetchModelCatalogue(source(groq.baseUrl, "groq")),
    (e) => kindOf(e) === "server",
  );
  groq.behaviour.failStatus = null;
  groq.route("GET", "/models", () => Response.json({ hello: "world" }));
  await assert.rejects(
    fetchModelCatalogue(source(groq.baseUrl, "groq")),
    (e) => kindOf(e) === "bad_response",
  );
  await assert.rejects(
    fetchModelCatalogue(source("http://127.0.0.1:9/v1", "groq")),
    (e) => kindOf(e) === "network",
  );
});

Deno.test("the catalogue cache: hits within the TTL, shares a load, forgets failures, expires", async () => {
  let ttl = 60_000;
  const cache = new TtlCache<number>(() => ttl, 2);
  let loads = 0;
  const load = () => Promise.resolve(++loads);
  assert.deepEqual(await Promise.all([cache.get("a", load), cache.get("a", load)]), [1, 1]);
  assert.equal(await cache.get("a", load), 1);
  await assert.rejects(cache.get("b", () => Promise.reject(new Error("down"))));
  assert.equal(cache.has("b"), false);
  assert.equal(await cache.refresh("a", load), 2);
  ttl = 0;
  assert.equal(await cache.get("c", load), 3);
  assert.equal(cache.has("c"), false);
  cache.set("d", 9);
  cache.set("e", 9);
  assert.equal(cache.has("a"), false, "the oldest entry goes when the cache is full");
});
