/**
 * The links handed to clients are on the public API URL. Under `supabase start` the functions'
 * `SUPABASE_URL` is the internal `http://kong:8000`, which a phone cannot open; `PUBLIC_API_URL`
 * (supabase/functions/.env) names the origin clients reach instead. Here an `api` function runs as
 * the local stack runs it, with a `.env` that sets `PUBLIC_API_URL` to another origin: a proxy in
 * front of the stack's gateway. A job read then returns image URLs on that origin, and they
 * download through it.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig, type StackConfig } from "../../stack/config.ts";
import { FunctionProcesses } from "../../stack/functions/manager.ts";
import { waitFor as waitUntil } from "../../stack/process.ts";
import { call, signUpUser } from "../helpers/api.ts";
import { db, env, isLocalStack } from "../helpers/env.ts";
import { PNG_BYTES, startFakeImages } from "../helpers/fake_images.ts";
import { giveImageProvider, waitForJob } from "../helpers/jobs.ts";

/** Another origin in front of the stack's gateway, as a LAN address or a domain would be. */
function startPublicProxy(): { origin: string; paths: string[]; close(): Promise<void> } {
  const paths: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const url = new URL(request.url);
    paths.push(url.pathname);
    return fetch(env.url + url.pathname + url.search, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      redirect: "manual",
    });
  });
  return { origin: `http://127.0.0.1:${server.addr.port}`, paths, close: () => server.shutdown() };
}

/** The project's `api` function under a temporary project folder whose functions' `.env` is `dotenv`. */
async function apiFunction(dotenv: string): Promise<{ config: StackConfig; functions: FunctionProcesses }> {
  const project = loadConfig();
  const root = await Deno.makeTempDir({ prefix: "public-url-test-" });
  await Deno.mkdir(join(root, "supabase", "functions"), { recursive: true });
  await Deno.writeTextFile(join(root, "supabase", "functions", ".env"), dotenv);
  const api = project.functions.find((fn) => fn.name === "api")!;
  const config = { ...project, root, apiUrl: env.url, dbUrl: env.dbUrl, functions: [api] };
  const functions = new FunctionProcesses(
    config,
    (_name, stream) => void stream.pipeTo(new WritableStream()),
  );
  functions.start({ watch: false });
  return { config, functions };
}

Deno.test({
  name: "with PUBLIC_API_URL set, a job read hands out image URLs on that origin, and they download",
  ignore: !isLocalStack,
  async fn() {
    const sql = db();
    const fake = startFakeImages();
    const proxy = startPublicProxy();
    const { config, functions } = await apiFunction(`PUBLIC_API_URL=${proxy.origin}/\n`);
    try {
      const user = await signUpUser();
      await giveImageProvider(sql, user.id, fake.baseUrl);
      const created = await call("/v1/jobs/image-generation", {
        method: "POST",
        token: user.token,
        body: { job_type: "image_generation", input_data: { prompt: "a harbour at night", n: 2 } },
      });
      assert.equal(created.status, 200, JSON.stringify(created.body));
      const jobId = created.body.job_id;
      await waitForJob(sql, jobId, "completed", (row) => row.status === "completed");

      const running = functions.get("api")!;
      const read = (path: string) =>
        fetch(`http://127.0.0.1:${running.port}/api${path}`, {
          headers: { authorization: `Bearer ${user.token}` },
        }).then(async (response) => ({ status: response.status, body: await response.json() }));
      assert.ok(await waitUntil(() => read("/health").then(() => true)), "the api function started");

      const { status, body: job } = await read(`/v1/jobs/${jobId}`);
      assert.equal(status, 200, JSON.stringify(job));
      assert.equal(job.output_data.images.length, 2);
      for (const image of job.output_data.images) {
        assert.ok(
          image.url.startsWith(`${proxy.origin}/storage/v1/object/sign/job-images/${user.id}/${jobId}/`),
          image.url,
        );
        assert.equal(image.url.includes(env.url), false, "nothing of SUPABASE_URL is left");
        const download = await fetch(image.url);
        assert.equal(download.status, 200);
        assert.deepEqual(new Uint8Array(await download.arrayBuffer()), PNG_BYTES);
      }
      assert.equal(proxy.paths.filter((path) => path.startsWith("/storage/v1/object/sign/")).length, 2);

      // The list carries the same public URLs.
      const { body: page } = await read("/v1/jobs");
      const listed = JSON.stringify(page);
      assert.ok(listed.includes(`${proxy.origin}/storage/v1/object/sign/`), listed);
    } finally {
      await functions.stop();
      await proxy.close();
      await fake.close();
      await sql.end();
      await Deno.remove(config.root, { recursive: true });
    }
  },
});
