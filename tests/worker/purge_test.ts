/**
 * Images leave with their jobs: the account purge, run by its pg_cron command, deletes an expired
 * account with all its rows and Vault secrets, and the storage sweep (the next pg_cron command,
 * through pg_net and the worker) deletes its stored images; other accounts keep everything.
 * Deleting a finished job through the API removes its images at once.
 */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { db } from "../helpers/env.ts";
import { startFakeImages } from "../helpers/fake_images.ts";
import { type Db, giveImageProvider, storedImages, waitFor, waitForJob } from "../helpers/jobs.ts";

async function completedJob(sql: Db, user: TestUser): Promise<string> {
  const { body } = await call("/v1/jobs/image-generation", {
    method: "POST",
    token: user.token,
    body: { input_data: { prompt: "keep me" } },
  });
  await waitForJob(sql, body.job_id, "completed", (row) => row.status === "completed");
  return body.job_id;
}

/** Runs a pg_cron job's command as pg_cron would (as postgres). */
async function runCronJob(sql: Db, name: string) {
  const [job] = await sql<{ command: string }[]>`select command from cron.job where jobname = ${name}`;
  assert.ok(job, `cron job ${name} exists`);
  await sql.unsafe(job.command);
}

async function leftovers(sql: Db, userId: string, secretId: string) {
  const [row] = await sql<{ n: number }[]>`
    select (select count(*) from auth.users where id = ${userId})
         + (select count(*) from public.profiles where id = ${userId})
         + (select count(*) from public.providers where user_id = ${userId})
         + (select count(*) from public.jobs where user_id = ${userId})
         + (select count(*) from vault.secrets where id = ${secretId}) as n`;
  return Number(row.n);
}

Deno.test("the purge removes an expired account with its rows, secrets and stored images; others stay", async () => {
  const sql = db();
  const fake = startFakeImages();
  try {
    const [leaving, staying] = [await signUpUser(), await signUpUser()];
    for (const user of [leaving, staying]) await giveImageProvider(sql, user.id, fake.baseUrl);
    const [leavingJob, stayingJob] = [await completedJob(sql, leaving), await completedJob(sql, staying)];
    const secretOf = async (user: TestUser) =>
      (await sql<
        { id: string }[]
      >`select vault_secret_id::text as id from public.providers where user_id = ${user.id}`)[0].id;
    const [leavingSecret, stayingSecret] = [await secretOf(leaving), await secretOf(staying)];

    assert.equal((await call("/v1/users/profile", { method: "DELETE", token: leaving.token })).status, 200);
    await sql`update public.profiles set deletion_scheduled_for = now() - interval '1 minute' where id = ${leaving.id}`;
    assert.equal(await leftovers(sql, leaving.id, leavingSecret), 5);

    await runCronJob(sql, "pocketllm-purge-deleted-accounts");
    assert.equal(
      await leftovers(sql, leaving.id, leavingSecret),
      0,
      "user, profile, provider, jobs and secret are gone",
    );
    assert.equal(
      (await storedImages(sql, `${leaving.id}/`)).length,
      1,
      "the purge alone cannot delete files",
    );

    await runCronJob(sql, "pocketllm-sweep-job-images");
    await waitFor(
      "the sweep to delete the images",
      async () => (await storedImages(sql, `${leaving.id}/`)).length === 0 || undefined,
    );
    assert.equal(await leftovers(sql, staying.id, stayingSecret), 5, "the other account is whole");
    assert.deepEqual(await storedImages(sql, `${staying.id}/`), [`${staying.id}/${stayingJob}/1.png`]);
    const { body: kept } = await call(`/v1/jobs/${stayingJob}`, { token: staying.token });
    assert.equal((await fetch(kept.output_data.images[0].url)).status, 200);
    assert.ok(leavingJob);
  } finally {
    await fake.close();
    await sql.end();
  }
});

Deno.test("deleting a finished job through the API removes its images at once", async () => {
  const sql = db();
  const fake = startFakeImages();
  try {
    const user = await signUpUser();
    await giveImageProvider(sql, user.id, fake.baseUrl);
    const jobId = await completedJob(sql, user);
    assert.equal((await storedImages(sql, `${user.id}/${jobId}/`)).length, 1);
    assert.equal((await call(`/v1/jobs/${jobId}`, { method: "DELETE", token: user.token })).status, 204);
    assert.deepEqual(await storedImages(sql, `${user.id}/${jobId}/`), []);
  } finally {
    await fake.close();
    await sql.end();
  }
});
