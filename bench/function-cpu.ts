/**
 * CPU time per request, against the edge runtime's limit of 2 s of CPU per request (PLATFORM.md §8;
 * waiting on I/O does not count). Measured as the CPU time (user + system, all threads, from
 * /proc/<pid>/stat: an upper bound of the isolate's own) that the local stack's function processes
 * spend on:
 *
 * 1. the worker: image jobs of one image each (`image KiB` of PNG-like bytes, answered as `b64_json`
 *    by a fake provider in this process), inserted in one statement and drained by the worker the
 *    insert wakes — the provider's answer parsed and decoded, Storage upload, queue writes. One
 *    worker invocation is one request, so its CPU is the sum over the jobs it runs;
 * 2. the api: one streamed chat reply of `deltas` text deltas from a fake provider;
 * 3. the api: a job list read (`GET /v1/jobs`, 20 jobs with a signed image URL each).
 *
 * Needs a running local stack (SUPABASE_* variables, e.g. `eval "$(bash stack/bin/test-env)"`).
 *
 *   deno run -A bench/function-cpu.ts [jobs=40] [image KiB=1536] [deltas=4000]
 */
import { Buffer } from "node:buffer";
import { apiUrl, call, signUpUser } from "../tests/helpers/api.ts";
import { createChat } from "../tests/helpers/chats.ts";
import { db, env } from "../tests/helpers/env.ts";
import { openAiStream, startFakeLlm } from "../tests/helpers/fake_llm.ts";
import { giveImageProvider, waitFor } from "../tests/helpers/jobs.ts";
import { userWithFakeModel } from "../tests/helpers/replies.ts";
import { functionPid } from "./support/chat-stream-tools.ts";
import { type Cpu, cpuMs } from "./support/process-cpu.ts";

const jobs = Number(Deno.args[0] ?? 40);
const imageKib = Number(Deno.args[1] ?? 1536);
const deltas = Number(Deno.args[2] ?? 4000);
const CPU_LIMIT_MS = 2_000;

/** CPU the process spends on `work`, measured once it has settled. */
async function cpuOf(pid: number, work: () => Promise<unknown>): Promise<Cpu> {
  const before = await cpuMs(pid);
  await work();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const after = await cpuMs(pid);
  return { main: after.main - before.main, all: after.all - before.all };
}

/** A fake images provider answering every request with one image of `imageKib` KiB. */
function startBigImages() {
  const bytes = new Uint8Array(imageKib * 1024);
  for (let at = 0; at < bytes.length; at += 65_536) crypto.getRandomValues(bytes.subarray(at, at + 65_536));
  bytes.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]); // the PNG signature
  const body = JSON.stringify({ created: 1, data: [{ b64_json: Buffer.from(bytes).toString("base64") }] });
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, () =>
    new Response(body, {
      headers: { "content-type": "application/json" },
    }));
  return { baseUrl: `http://127.0.0.1:${server.addr.port}/v1`, close: () => server.shutdown() };
}

const sql = db();
const images = startBigImages();
const fake = startFakeLlm();
try {
  const workerPid = await functionPid(env.dbUrl, "worker");
  const apiPid = await functionPid(env.dbUrl, "api");
  const user = await signUpUser("Bench User");
  await giveImageProvider(sql, user.id, images.baseUrl);
  const input = { prompt: "a lighthouse", provider: "openai", model: "gpt-image-1", n: 1 };
  const runJobs = async (count: number) => {
    const ids = (await sql<{ id: string }[]>`
      insert into public.jobs (user_id, job_type, input_data)
      select ${user.id}, 'image_generation', ${sql.json(input)} from generate_series(1, ${count})
      returning id`).map((row) => row.id);
    await waitFor(`${count} jobs to complete`, async () => {
      const [{ done }] = await sql<{ done: number }[]>`
        select count(*)::int as done from public.jobs where id in ${sql(ids)} and status = 'completed'`;
      return done === count ? true : undefined;
    }, 120_000);
  };
  await runJobs(4); // warm-up: compiled code, connections
  const workerCpu = await cpuOf(workerPid, () => runJobs(jobs));
  const perJob = { main: workerCpu.main / jobs, all: workerCpu.all / jobs };

  const { user: chatter } = await userWithFakeModel(fake, "openai");
  const stream = async () => {
    const chat = await createChat(chatter, { title: "Bench" }); // titled: no title request
    fake.script(openAiStream({ chunks: Array(deltas).fill("lorem ip") }));
    const response = await fetch(`${apiUrl}/v1/chats/${chat.id}/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${chatter.token}` },
      body: JSON.stringify({ content: "Hi", stream: true }),
    });
    await response.text();
  };
  await stream();
  const streamCpu = await cpuOf(apiPid, stream);

  const list = () => call("/v1/jobs?limit=20", { token: user.token });
  await list();
  const reads = 20;
  const listTotal = await cpuOf(apiPid, async () => {
    for (let i = 0; i < reads; i++) await list();
  });
  const listCpu = { main: listTotal.main / reads, all: listTotal.all / reads };

  const ms = (value: number) => `${value.toFixed(1)} ms`;
  const row = (work: string, cpu: Cpu) =>
    console.log(
      `| ${work} | ${ms(cpu.main)} | ${ms(cpu.all)} | ${(cpu.main / CPU_LIMIT_MS * 100).toFixed(2)} % |`,
    );
  console.log(`CPU time per request (limit ${CPU_LIMIT_MS} ms), function processes of the local stack\n`);
  console.log("| work | main thread | all threads | main thread / 2 s |\n|---|---|---|---|");
  row(`worker: one image job (${imageKib} KiB image, b64_json)`, perJob);
  row(`api: one streamed reply, ${deltas} deltas`, streamCpu);
  row("api: GET /v1/jobs, 20 jobs with signed URLs", listCpu);
  console.log(
    `\nworker: ${jobs} jobs took ${ms(workerCpu.main)} on the main thread (${ms(workerCpu.all)} in all); ` +
      `2 s is ~${Math.floor(CPU_LIMIT_MS / perJob.main)} such jobs in one isolate.`,
  );
} finally {
  await images.close();
  await fake.close();
  await sql.end();
}
