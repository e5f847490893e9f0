/**
 * The jobs routes (API.md Jobs) through the gateway: creation and its validation, reading, paging,
 * ownership, cancel and delete, retry rules, image models and the cost estimate. The worker's side is
 * in tests/worker/.
 */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { db } from "../helpers/env.ts";
import { type FakeImages, startFakeImages } from "../helpers/fake_images.ts";
import { type Db, giveImageProvider, jobRow, waitForJob } from "../helpers/jobs.ts";

interface Fixture {
  sql: Db;
  fake: FakeImages;
  user: TestUser;
}

/** A user with an OpenAI provider at a fresh fake images server. */
async function withUser(run: (fixture: Fixture) => Promise<void>, provider = true) {
  const sql = db();
  const fake = startFakeImages();
  try {
    const user = await signUpUser();
    if (provider) await giveImageProvider(sql, user.id, fake.baseUrl);
    await run({ sql, fake, user });
  } finally {
    fake.release();
    await fake.close();
    await sql.end();
  }
}

const createJob = (user: TestUser, input: Record<string, unknown>, extra: Record<string, unknown> = {}) =>
  call("/v1/jobs/image-generation", {
    method: "POST",
    token: user.token,
    body: { job_type: "image_generation", input_data: input, ...extra },
  });

const jobCount = async (sql: Db, userId: string) =>
  (await sql<{ n: number }[]>`select count(*)::int as n from public.jobs where user_id = ${userId}`)[0].n;

Deno.test("every jobs route needs a user token", async () => {
  for (
    const [method, path] of [["GET", "/v1/jobs"], ["POST", "/v1/jobs/image-generation"], [
      "GET",
      "/v1/jobs/image-generation/models",
    ]]
  ) {
    const { status, body } = await call(path, { method, body: method === "POST" ? {} : undefined });
    assert.equal(status, 401, path);
    assert.equal(body.code, "not_authenticated");
  }
});

Deno.test("a job is created pending, with the provider and model resolved, and read back", async () => {
  await withUser(async ({ sql, fake, user }) => {
    fake.script({ hold: true });
    const created = await createJob(user, { prompt: "a red fox", size: "1024x1024" }, {
      metadata: { source: "test" },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.equal(created.body.status, "pending");
    assert.match(created.body.job_id, /^[0-9a-f-]{36}$/);

    const { status, body: job } = await call(`/v1/jobs/${created.body.job_id}`, { token: user.token });
    assert.equal(status, 200);
    assert.equal(job.user_id, user.id);
    assert.equal(job.job_type, "image_generation");
    assert.ok(["pending", "processing"].includes(job.status));
    assert.deepEqual(job.input_data, {
      prompt: "a red fox",
      size: "1024x1024",
      provider: "openai",
      model: "gpt-image-1",
    });
    assert.deepEqual(job.metadata, { source: "test" });
    assert.equal(job.output_data, null);
    assert.equal("lease_token" in job, false);

    await call(`/v1/jobs/${job.id}`, { method: "DELETE", token: user.token });
    await waitForJob(sql, job.id, "cancelled", (row) => row.status === "failed");
  });
});

Deno.test("bad job input is refused and nothing is queued", async () => {
  await withUser(async ({ sql, user }) => {
    const refused: [Record<string, unknown>, number, unknown[]][] = [
      [{ input_data: { prompt: "" } }, 422, ["body", "input_data", "prompt"]],
      [{ input_data: {} }, 422, ["body", "input_data", "prompt"]],
      [{ input_data: { prompt: "x", n: 0 } }, 422, ["body", "input_data", "n"]],
      [{ input_data: { prompt: "x", size: "big" } }, 422, ["body", "input_data", "size"]],
      [{ input_data: { prompt: "x", quality: "ultra" } }, 422, ["body", "input_data", "quality"]],
      [{ input_data: { prompt: "x", model: "dall-e-3", n: 2 } }, 422, ["body", "input_data", "n"]],
      [{ input_data: { prompt: "x", model: "dall-e-3", size: "256x256" } }, 422, [
        "body",
        "input_data",
        "size",
      ]],
      [{ input_data: { prompt: "x".repeat(4001), model: "dall-e-3" } }, 422, [
        "body",
        "input_data",
        "prompt",
      ]],
      [{ input_data: { prompt: "x", model: "dall-e-2", quality: "hd" } }, 422, [
        "body",
        "input_data",
        "quality",
      ]],
    ];
    for (const [body, status, loc] of refused) {
      const response = await call("/v1/jobs/image-generation", { method: "POST", token: user.token, body });
      assert.equal(response.status, status, JSON.stringify(body));
      assert.deepEqual(response.body.detail[0].loc, loc, JSON.stringify(response.body));
    }
    const notJson = await call("/v1/jobs/image-generation", {
      method: "POST",
      token: user.token,
      body: "{nope",
      headers: { "content-type": "application/json" },
    });
    assert.ok([400, 422].includes(notJson.status));

    const otherType = await createJob(user, { prompt: "x" }, { job_type: "video_generation" });
    assert.equal(otherType.status, 400);
    assert.equal(otherType.body.code, "unsupported_job_type");

    const notImages = await createJob(user, { prompt: "x", provider: "groq" });
    assert.equal(notImages.status, 400);
    assert.equal(notImages.body.code, "provider_not_image_capable");

    const notConfigured = await createJob(user, { prompt: "x", provider: "imagerouter" });
    assert.equal(notConfigured.status, 400);
    assert.equal(notConfigured.body.code, "provider_unavailable");

    assert.equal(await jobCount(sql, user.id), 0);
  });
});

Deno.test("without a usable image provider creation is a 400, not a failed job later", async () => {
  await withUser(async ({ sql, user }) => {
    const none = await createJob(user, { prompt: "x" });
    assert.equal(none.status, 400);
    assert.equal(none.body.code, "no_image_provider");

    await sql`insert into public.providers (user_id, provider, is_active) values (${user.id}, 'openai', true)`;
    const keyless = await createJob(user, { prompt: "x" });
    assert.equal(keyless.status, 400, "a provider without a key is not usable");

    await sql`insert into public.providers (user_id, provider, base_url) values (${user.id}, 'openai_compatible', 'http://127.0.0.1:9/v1')`;
    await sql`select private.store_provider_key(${user.id}, 'openai_compatible', 'sk-compatible-key-000000')`;
    const noModel = await createJob(user, { prompt: "x" });
    assert.equal(noModel.status, 422);
    assert.deepEqual(noModel.body.detail[0].loc, ["body", "input_data", "model"]);
    assert.equal(await jobCount(sql, user.id), 0);
  }, false);
});

Deno.test("jobs list newest first, page with X-Next-Cursor, and stay private", async () => {
  await withUser(async ({ sql, user }) => {
    const stranger = await signUpUser();
    const ids: string[] = [];
    for (const prompt of ["one", "two", "three"]) {
      const [row] = await sql<{ id: string }[]>`
        insert into public.jobs (user_id, job_type, input_data, status, finished_at, run_after, created_at)
        values (${user.id}, 'image_generation', ${
        sql.json({ prompt })
      }, 'failed', now(), now() + interval '1 day',
                now() + ${ids.length} * interval '1 second')
        returning id`;
      ids.push(row.id);
    }
    const all = await call("/v1/jobs", { token: user.token });
    assert.deepEqual(all.body.map((job: { id: string }) => job.id), [...ids].reverse());

    const first = await call("/v1/jobs?limit=2", { token: user.token });
    assert.equal(first.body.length, 2);
    const cursor = first.headers.get("x-next-cursor");
    assert.equal(cursor, ids[1]);
    const second = await call(`/v1/jobs?limit=2&before=${cursor}`, { token: user.token });
    assert.deepEqual(second.body.map((job: { id: string }) => job.id), [ids[0]]);
    assert.equal(second.headers.get("x-next-cursor"), null);

    assert.deepEqual((await call("/v1/jobs", { token: stranger.token })).body, []);
    for (const [method, path] of [["GET", ""], ["DELETE", ""], ["POST", "/retry"]]) {
      const response = await call(`/v1/jobs/${ids[0]}${path}`, { method, token: stranger.token });
      assert.equal(response.status, 404, `${method} ${path}`);
    }
    assert.equal((await call("/v1/jobs/not-a-uuid", { token: user.token })).status, 422);
    assert.equal((await jobRow(sql, ids[0])).status, "failed", "the stranger changed nothing");
  });
});

Deno.test("delete cancels a running job, deletes a finished one; retry takes failed jobs only", async () => {
  await withUser(async ({ sql, fake, user }) => {
    fake.script({ hold: true });
    const { body: created } = await createJob(user, { prompt: "slow" });
    await fake.arrived(1);
    const running = await call(`/v1/jobs/${created.job_id}/retry`, { method: "POST", token: user.token });
    assert.equal(running.status, 400);
    assert.equal(running.body.code, "job_not_failed");

    assert.equal(
      (await call(`/v1/jobs/${created.job_id}`, { method: "DELETE", token: user.token })).status,
      204,
    );
    const cancelled = await call(`/v1/jobs/${created.job_id}`, { token: user.token });
    assert.equal(cancelled.body.status, "failed");
    assert.equal(cancelled.body.error_log, "Cancelled.");

    assert.equal(
      (await call(`/v1/jobs/${created.job_id}`, { method: "DELETE", token: user.token })).status,
      204,
    );
    assert.equal((await call(`/v1/jobs/${created.job_id}`, { token: user.token })).status, 404);
    assert.equal(
      (await call(`/v1/jobs/${created.job_id}`, { method: "DELETE", token: user.token })).status,
      404,
    );
    assert.equal(await jobCount(sql, user.id), 0);
  });
});

Deno.test("image models come from the caller's image providers, else the classic two", async () => {
  await withUser(async ({ user }) => {
    const { status, body } = await call("/v1/jobs/image-generation/models", { token: user.token });
    assert.equal(status, 200);
    assert.deepEqual(body.map((model: { id: string }) => model.id), ["stable-diffusion-xl", "dalle-3"]);
    assert.deepEqual(body[0].pricing, { per_image: 2.5, currency: "credits" });
  }, false);
  await withUser(async ({ user }) => {
    const { body } = await call("/v1/jobs/image-generation/models", { token: user.token });
    assert.deepEqual(body.map((model: { id: string }) => model.id).sort(), ["dall-e-3", "gpt-image-1"]);
    assert.equal(body[0].provider, "openai");
  });
});

Deno.test("the cost estimate keeps the old formula", async () => {
  const user = await signUpUser();
  const cases: [Record<string, unknown>, number][] = [
    [{ model: "stable-diffusion-xl" }, 2.5],
    [{ model: "dalle-3" }, 3],
    [{ model: "dalle-3", dimensions: [1024, 1024] }, 6],
    [{ model: "stable-diffusion-xl", dimensions: [512, 512], steps: 30 }, 4.62],
    [{ model: "anything", steps: 25, metadata: { note: "x" } }, 4.5],
  ];
  for (const [body, credits] of cases) {
    const { status, body: estimate } = await call("/v1/jobs/image-generation/estimate-cost", {
      method: "POST",
      token: user.token,
      body,
    });
    assert.equal(status, 200);
    assert.equal(estimate.cost_credits, credits, JSON.stringify(body));
    assert.equal(estimate.currency, "credits");
    assert.equal(estimate.model, body.model);
  }
  for (
    const body of [{}, { model: "x", dimensions: [1024] }, { model: "x", dimensions: [0, 10] }, {
      model: "x",
      steps: -1,
    }]
  ) {
    const { status } = await call("/v1/jobs/image-generation/estimate-cost", {
      method: "POST",
      token: user.token,
      body,
    });
    assert.equal(status, 422, JSON.stringify(body));
  }
});
