/**
 * The image job end to end, with nobody calling the worker by hand: API insert → trigger → pg_net
 * (the stack's dispatcher) → gateway → worker → fake provider → Storage → completed; then the image
 * is downloadable by its owner only. Also: URL results, concurrency within a batch, and the worker's
 * credential check.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { db, env } from "../helpers/env.ts";
import { PNG_BYTES, startFakeImages } from "../helpers/fake_images.ts";
import {
  callWorker,
  giveImageProvider,
  insertParkedJob,
  makeDue,
  storedImages,
  waitForJob,
  wakeWorker,
} from "../helpers/jobs.ts";

const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } };

function imagesAs(user: TestUser | null) {
  const client = user
    ? createClient(env.url, env.anonKey, {
      ...clientOptions,
      global: { headers: { Authorization: `Bearer ${user.token}` } },
    })
    : createClient(env.url, env.anonKey, clientOptions);
  return client.storage.from("job-images");
}

Deno.test("an API job completes through trigger, pg_net and the worker; only its owner can download it", async () => {
  const sql = db();
  const fake = startFakeImages();
  try {
    const [owner, stranger] = [await signUpUser(), await signUpUser()];
    const key = await giveImageProvider(sql, owner.id, fake.baseUrl);
    const [{ now: startedAt }] = await sql<{ now: Date }[]>`select now()`;

    const created = await call("/v1/jobs/image-generation", {
      method: "POST",
      token: owner.token,
      body: {
        job_type: "image_generation",
        input_data: { prompt: "a lighthouse at dusk", n: 2, quality: "low" },
      },
    });
    assert.equal(created.status, 200);
    const jobId = created.body.job_id;
    await waitForJob(sql, jobId, "completed", (row) => row.status === "completed");

    const { body: job } = await call(`/v1/jobs/${jobId}`, { token: owner.token });
    assert.equal(job.status, "completed");
    assert.equal(job.error_log, null);
    assert.equal(job.output_data.provider, "openai");
    assert.equal(job.output_data.model, "gpt-image-1");
    assert.equal(job.output_data.images.length, 2);
    for (const [index, image] of job.output_data.images.entries()) {
      assert.equal(image.storage_path, `${owner.id}/${jobId}/${index + 1}.png`);
      assert.equal(image.content_type, "image/png");
      const download = await fetch(image.url);
      assert.equal(download.status, 200);
      assert.deepEqual(new Uint8Array(await download.arrayBuffer()), PNG_BYTES);
      assert.ok(Date.parse(image.url_expires_at) > Date.now());
    }
    assert.equal(JSON.stringify(job).includes(key), false, "the key never appears in a response");

    const [request] = fake.requests;
    assert.equal(request.path, "/v1/images/generations");
    assert.equal(request.authorization, `Bearer ${key}`);
    assert.deepEqual(request.body, {
      model: "gpt-image-1",
      prompt: "a lighthouse at dusk",
      n: 2,
      quality: "low",
    });

    const path = job.output_data.images[0].storage_path;
    const own = await imagesAs(owner).download(path);
    assert.deepEqual(new Uint8Array(await own.data!.arrayBuffer()), PNG_BYTES);
    assert.ok((await imagesAs(stranger).download(path)).error, "another user cannot download it");
    assert.ok((await imagesAs(null).download(path)).error, "anon cannot download it");
    assert.equal((await call(`/v1/jobs/${jobId}`, { token: stranger.token })).status, 404);

    // The worker was called by pg_net: its summary is in pg_net's response table.
    const responses = await sql<{ content: string }[]>`
      select content from net._http_response where created >= ${startedAt} and content like '%"completed":%'`;
    assert.ok(responses.some((row) => JSON.parse(row.content).completed >= 1), JSON.stringify(responses));
  } finally {
    await fake.close();
    await sql.end();
  }
});

Deno.test("ImageRouter's endpoint: url results are downloaded and stored", async () => {
  const sql = db();
  const fake = startFakeImages();
  try {
    const owner = await signUpUser();
    await giveImageProvider(sql, owner.id, fake.baseUrl, { provider: "imagerouter" });
    fake.script({ asUrl: true });
    const created = await call("/v1/jobs/image-generation", {
      method: "POST",
      token: owner.token,
      body: { input_data: { prompt: "a test image", model: "test/test" } },
    });
    const row = await waitForJob(
      sql,
      created.body.job_id,
      "completed",
      (job) => job.status !== "pending" && job.status !== "processing",
    );
    assert.equal(row.status, "completed", row.error_log ?? "");
    assert.equal(fake.requests[0].path, "/v1/openai/images/generations");
    assert.equal(fake.requests[0].body.response_format, "b64_json");
    assert.deepEqual(await storedImages(sql, `${owner.id}/${created.body.job_id}/`), [
      `${owner.id}/${created.body.job_id}/1.png`,
    ]);
  } finally {
    await fake.close();
    await sql.end();
  }
});

Deno.test("the jobs of one batch run concurrently", async () => {
  const sql = db();
  const fake = startFakeImages();
  try {
    const owner = await signUpUser();
    await giveImageProvider(sql, owner.id, fake.baseUrl);
    fake.script(...Array.from({ length: 4 }, () => ({ delayMs: 1500 })));
    const ids = [];
    for (let i = 0; i < 4; i++) {
      ids.push(
        await insertParkedJob(sql, owner.id, { prompt: `p${i}`, provider: "openai", model: "gpt-image-1" }),
      );
    }
    await makeDue(sql, ids);
    const started = Date.now();
    await wakeWorker(sql);
    for (const id of ids) await waitForJob(sql, id, "completed", (row) => row.status === "completed");
    assert.equal(fake.maxInFlight, 4);
    assert.ok(Date.now() - started < 4 * 1500, "four 1.5 s jobs took less than 6 s");
  } finally {
    await fake.close();
    await sql.end();
  }
});

Deno.test("the worker accepts only the service credential", async () => {
  const user = await signUpUser();
  for (
    const headers of [{ authorization: "" }, { authorization: `Bearer ${env.anonKey}` }, {
      authorization: `Bearer ${user.token}`,
    }]
  ) {
    const { status, body } = await callWorker({}, headers);
    assert.equal(status, 401, JSON.stringify(headers).slice(0, 40));
    assert.equal(body.code, "unauthorized");
  }
  const bySecretKey = await callWorker({}, { authorization: "", apikey: env.secretKey });
  assert.equal(bySecretKey.status, 200);
  const byServiceJwt = await callWorker();
  assert.equal(byServiceJwt.status, 200);
  for (const field of ["claimed", "completed", "failed", "retried"]) {
    assert.equal(typeof byServiceJwt.body[field], "number");
  }
});
