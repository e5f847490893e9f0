/** Usage through the gateway: every reply's tokens and cost, added up per day, model or provider. */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { createChat, withDb } from "../helpers/chats.ts";
import { openAiJson, startFakeLlm } from "../helpers/fake_llm.ts";
import { userWithFakeModel } from "../helpers/replies.ts";

const reply = async (user: TestUser, chatId: string) => {
  const response = await call(`/v1/chats/${chatId}/messages`, {
    method: "POST",
    token: user.token,
    body: { content: "How much is this?" },
  });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
};

const usage = (user: TestUser, query = "") => call(`/v1/usage${query}`, { token: user.token });

Deno.test("each reply records its usage (estimated when the provider says none) and cost where priced", async () => {
  await using fake = startFakeLlm();
  const { user, modelId } = await userWithFakeModel(fake, "openai", { settings: { model: "gpt-4o-mini" } });
  const chat = await createChat(user, { title: "Costs" });

  fake.script({ json: openAiJson({ text: "Reported.", usage: "usage" }) });
  const reported = await reply(user, chat.id);
  assert.deepEqual(reported.metadata.usage, { prompt_tokens: 9, completion_tokens: 3 });
  assert.equal(reported.metadata.cost_usd, 0.00000315, "9 × $0.15/M + 3 × $0.60/M");

  fake.script({ json: { ...openAiJson({ text: "No usage from me." }), usage: undefined } });
  const estimated = await reply(user, chat.id);
  assert.equal(estimated.metadata.usage.estimated, true);
  assert.ok(estimated.metadata.usage.prompt_tokens > 0 && estimated.metadata.usage.completion_tokens > 0);
  assert.ok(estimated.metadata.cost_usd > 0);

  await withDb((sql) => sql`update public.model_configs set model = 'fake-model' where id = ${modelId}`);
  fake.script({ json: openAiJson({ text: "Unpriced.", usage: "usage" }) });
  const unpriced = await reply(user, chat.id);
  assert.equal(unpriced.metadata.model, "fake-model");
  assert.equal("cost_usd" in unpriced.metadata, false, "no price, no cost");

  const byModel = await usage(user, "?group_by=model");
  assert.equal(byModel.status, 200, JSON.stringify(byModel.body));
  const cost = reported.metadata.cost_usd + estimated.metadata.cost_usd;
  const prompt = 18 + estimated.metadata.usage.prompt_tokens;
  const completion = 6 + estimated.metadata.usage.completion_tokens;
  assert.deepEqual(byModel.body.totals, {
    requests: 3,
    prompt_tokens: prompt,
    completion_tokens: completion,
    cost_usd: cost,
  });
  assert.deepEqual(byModel.body.groups.map((g: { key: string; requests: number }) => [g.key, g.requests]), [
    ["fake-model", 1],
    ["gpt-4o-mini", 2],
  ]);
  assert.equal(byModel.body.groups[0].cost_usd, 0);

  const byProvider = await usage(user, "?group_by=provider");
  assert.deepEqual(byProvider.body.groups.map((g: { key: string }) => g.key), ["openai"]);
  assert.deepEqual(byProvider.body.totals, byModel.body.totals);

  const byDay = await usage(user);
  const today = new Date().toISOString().slice(0, 10);
  assert.deepEqual(byDay.body.groups.map((g: { key: string; requests: number }) => [g.key, g.requests]), [[
    today,
    3,
  ]]);
  const span = Date.parse(byDay.body.to) - Date.parse(byDay.body.from);
  assert.equal(span, 30 * 86_400_000, "the last 30 days by default");
  assert.ok(Math.abs(Date.parse(byDay.body.to) - Date.now()) < 60_000);

  // A reply older than 30 days is outside the default period, inside an explicit one.
  await withDb((sql) =>
    sql`update public.messages set created_at = now() - interval '40 days' where id = ${unpriced.id}`
  );
  assert.equal((await usage(user)).body.totals.requests, 2);
  const old = await usage(
    user,
    `?from=${new Date(Date.now() - 50 * 86_400_000).toISOString().slice(0, 10)}&to=${today}`,
  );
  assert.equal(old.status, 200);
  assert.deepEqual(old.body.groups.map((g: { requests: number }) => g.requests), [1]);

  const stranger = await signUpUser();
  const none = await usage(stranger, "?group_by=model");
  assert.deepEqual(none.body.totals, { requests: 0, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });
  assert.deepEqual(none.body.groups, []);
});

Deno.test("usage: bad parameters are 422 with a readable message; no token is 401", async () => {
  const user = await signUpUser();
  const bad = [
    "?group_by=week",
    "?from=yesterday",
    "?to=2026-13-01",
    "?from=2026-11-02&to=2026-11-01",
    "?from=2026-11-01T00:00:00Z&to=2026-11-01T00:00:00Z",
  ];
  for (const query of bad) {
    const response = await usage(user, query);
    assert.equal(response.status, 422, query);
    assert.ok(
      response.body.message && response.body.detail && response.body.code,
      JSON.stringify(response.body),
    );
  }
  assert.equal((await usage(user, "?from=2026-11-02&to=2026-11-01")).body.code, "invalid_period");
  assert.equal((await call("/v1/usage")).status, 401);
});

Deno.test("usage ignores metadata a client wrote that is not a number", async () => {
  const user = await signUpUser();
  const chat = await createChat(user);
  const forged = await call(`/v1/chats/${chat.id}/messages`, {
    method: "POST",
    token: user.token,
    body: { role: "assistant", content: "x", metadata: { usage: { prompt_tokens: "lots" }, cost_usd: [] } },
  });
  assert.equal(forged.status, 200);
  const report = await usage(user);
  assert.equal(report.status, 200, JSON.stringify(report.body));
  assert.deepEqual(report.body.totals, { requests: 1, prompt_tokens: 0, completion_tokens: 0, cost_usd: 0 });
});
