/**
 * Streamed chat replies (`POST /v1/chats/{id}/messages` with `stream: true`) through the gateway and
 * the api function, against the same fake OpenAI-compatible provider called directly, in the same
 * run (rounds interleaved):
 *
 * 1. time to first byte and to the first text delta, through the API vs from the provider directly
 *    (the API's first byte is its `start` event; its first delta has gone through token check, the
 *    user-message transaction, the Vault read, the provider call and the SSE re-encoding); next to
 *    them, the same POST for a user without a model (gateway, token check and one insert: the floor
 *    any request of the API pays);
 * 2. the api function's resident memory (VmRSS of its process, sampled every 50 ms) while it
 *    streams a very long reply, twice in a row: memory that is flat per reply stays at the first
 *    run's level in the second (a leak would add the first run's growth again); and the throughput.
 *
 * Needs a running local stack (SUPABASE_* variables, e.g. `eval "$(bash stack/bin/test-env)"`).
 *
 *   deno run -A bench/chat-stream.ts [rounds=60] [long reply chunks=100000]
 */
import { apiUrl, signUpUser, type TestUser } from "../tests/helpers/api.ts";
import { createChat } from "../tests/helpers/chats.ts";
import { env } from "../tests/helpers/env.ts";
import { type FakeLlm, openAiStream, startFakeLlm } from "../tests/helpers/fake_llm.ts";
import { userWithFakeModel } from "../tests/helpers/replies.ts";
import { apiFunctionPid, formatMs, percentile, RssSampler } from "./support/chat-stream-tools.ts";

const rounds = Number(Deno.args[0] ?? 60);
const longChunks = Number(Deno.args[1] ?? 100_000);
const CHUNK = "lorem ip"; // 8 characters per delta

interface Timing {
  firstByte: number;
  firstDelta: number;
  total: number;
}

/** Reads a streamed response to its end, noting when the first byte and the first text delta came. */
async function timeStream(started: number, response: Response, deltaMark: string): Promise<Timing> {
  const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
  let firstByte = 0;
  let firstDelta = 0;
  let seen = "";
  while (true) {
    const { done, value } = await reader.read();
    if (done) break;
    firstByte ||= performance.now() - started;
    if (!firstDelta) {
      seen += value;
      if (seen.includes(deltaMark)) firstDelta = performance.now() - started;
    }
  }
  return { firstByte, firstDelta, total: performance.now() - started };
}

function direct(fake: FakeLlm): Promise<Timing> {
  const started = performance.now();
  return fetch(`${fake.baseUrl}/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: "Bearer sk-bench-0123456789" },
    body: JSON.stringify({ model: "fake-model", stream: true, messages: [{ role: "user", content: "Hi" }] }),
  }).then((response) => timeStream(started, response, '"content":"Hello'));
}

function viaApi(token: string, chatId: string): Promise<Timing> {
  const started = performance.now();
  return fetch(`${apiUrl}/v1/chats/${chatId}/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ content: "Hi", stream: true }),
  }).then((response) => timeStream(started, response, "event: delta"));
}

function report(name: string, values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  return `| ${name} | ${formatMs(percentile(sorted, 50))} | ${formatMs(percentile(sorted, 90))} | ` +
    `${formatMs(percentile(sorted, 99))} | ${formatMs(sorted[0])} |`;
}

async function firstByteRounds(fake: FakeLlm, user: TestUser, plain: TestUser) {
  const api: Timing[] = [];
  const provider: Timing[] = [];
  const floor: Timing[] = [];
  const plainChat = await createChat(plain, { title: "Bench" });
  for (let round = -5; round < rounds; round++) {
    const chat = await createChat(user, { title: "Bench" }); // titled: no title request
    const [a, p] = [await viaApi(user.token, chat.id), await direct(fake)];
    const f = await viaApi(plain.token, plainChat.id);
    if (round >= 0) api.push(a), provider.push(p), floor.push(f); // the first five warm every path up
  }
  return { api, provider, floor };
}

async function longReply(fake: FakeLlm, user: TestUser, pid: number) {
  const chat = await createChat(user, { title: "Long" });
  fake.script(openAiStream({ chunks: Array(longChunks).fill(CHUNK) }));
  const sampler = new RssSampler(pid, 50);
  const before = await sampler.sampleOnce();
  sampler.start();
  const timing = await viaApi(user.token, chat.id);
  const rss = (await sampler.stop()).map((sample) => sample.rssKb);
  return { timing, rss, before };
}

const mb = (kb: number) => `${(kb / 1024).toFixed(1)} MB`;

function reportLong(run: number, long: Awaited<ReturnType<typeof longReply>>): number {
  const at = (q: number) => long.rss[Math.min(long.rss.length - 1, Math.floor((long.rss.length - 1) * q))];
  const max = Math.max(...long.rss);
  console.log(
    `| ${run} | ${formatMs(long.timing.total)} | ${Math.round(longChunks / (long.timing.total / 1000))} | ` +
      `${mb(long.before)} | ${[0.25, 0.5, 0.75, 1].map((q) => mb(at(q))).join(" / ")} | ${mb(max)} |`,
  );
  return max;
}

await using fake = startFakeLlm();
const { user } = await userWithFakeModel(fake, "openai");

const { api, provider, floor } = await firstByteRounds(fake, user, await signUpUser("Bench User"));
const p50 = (values: number[]) => percentile([...values].sort((a, b) => a - b), 50);
const added = p50(api.map((t) => t.firstDelta)) - p50(provider.map((t) => t.firstDelta));
console.log(`time to first byte / first delta, ${rounds} rounds (interleaved, after 5 warm-up rounds)\n`);
console.log("| path | p50 | p90 | p99 | min |\n|---|---|---|---|---|");
console.log(report("provider directly: first byte", provider.map((t) => t.firstByte)));
console.log(report("provider directly: first delta", provider.map((t) => t.firstDelta)));
console.log(report("API, no model: whole JSON answer (the floor)", floor.map((t) => t.total)));
console.log(report("API: first byte (`start` event)", api.map((t) => t.firstByte)));
console.log(report("API: first delta", api.map((t) => t.firstDelta)));
console.log(
  `\nfirst delta, API / provider at p50: ${
    (p50(api.map((t) => t.firstDelta)) / p50(provider.map((t) => t.firstDelta))).toFixed(1)
  }x` +
    ` (+${formatMs(added)} added by the API)`,
);

const pid = await apiFunctionPid(env.dbUrl);
console.log(
  `\nlong reply: ${longChunks} deltas, ${(longChunks * CHUNK.length / 1e6).toFixed(1)} M characters, ` +
    `streamed twice; api function RSS (pid ${pid})\n`,
);
console.log(
  "| run | duration | deltas/s | RSS before | RSS at 25/50/75/100 % | RSS max |\n|---|---|---|---|---|---|",
);
const firstMax = reportLong(1, await longReply(fake, user, pid));
const secondMax = reportLong(2, await longReply(fake, user, pid));
console.log(`\nsecond run's max / first run's max: ${(secondMax / firstMax).toFixed(2)}x`);
