/**
 * The worker refuses what the destination guard refuses, as a clear permanent failure. A worker
 * run (tests/helpers/drain_once.ts) with `ALLOW_PRIVATE_DESTINATIONS=false`, as on a hosted
 * project, whose network is an HTTP proxy of the test's (`HTTP_PROXY`): the proxy plays an image
 * provider at a public address that answers with an image URL on loopback, and records every
 * request. One job's provider answers that URL (refused before the download), another's base URL
 * is the metadata address (refused before the generation): both end failed after one attempt,
 * their error_log saying the destination was refused, and nothing reaches the canary on loopback.
 */
import assert from "node:assert/strict";
import { signUpUser } from "../helpers/api.ts";
import { db } from "../helpers/env.ts";
import { giveImageProvider, insertParkedJob, jobRow } from "../helpers/jobs.ts";
import { canary } from "../helpers/canary.ts";

const PROVIDER = "http://93.184.216.34/v1";
const INPUT = { prompt: "a kite", provider: "openai", model: "dall-e-3" };

/** The worker's network: the public provider answers `imageUrl`; anything else is recorded and refused. */
function network(imageUrl: string) {
  const requests: string[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, (request) => {
    requests.push(`${request.method} ${request.url}`);
    if (request.url === `${PROVIDER}/images/generations`) return Response.json({ data: [{ url: imageUrl }] });
    return new Response("not on this network", { status: 502 });
  });
  return { requests, proxy: `http://127.0.0.1:${server.addr.port}`, close: () => server.shutdown() };
}

Deno.test("a refused image URL or base URL fails the job permanently, saying the destination was refused", async () => {
  const sql = db();
  const listener = canary();
  const net = network(`http://127.0.0.1:${listener.state.port}/latest/x.png`);
  try {
    const [downloader, metadata] = [await signUpUser(), await signUpUser()];
    await giveImageProvider(sql, downloader.id, PROVIDER);
    await giveImageProvider(sql, metadata.id, "http://169.254.169.254/v1");
    const jobs = [
      await insertParkedJob(sql, downloader.id, INPUT),
      await insertParkedJob(sql, metadata.id, INPUT),
    ];
    const run = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", new URL("../helpers/drain_once.ts", import.meta.url).pathname],
      env: { ALLOW_PRIVATE_DESTINATIONS: "false", HTTP_PROXY: net.proxy, MAKE_DUE: jobs.join(",") },
      stdout: "null",
      stderr: "inherit",
    }).output();
    assert.ok(run.success, "the worker run ended");

    const [download, generation] = [await jobRow(sql, jobs[0]), await jobRow(sql, jobs[1])];
    for (const row of [download, generation]) {
      assert.equal(row.status, "failed", JSON.stringify(row));
      assert.equal(row.attempts, 1, "permanent: not retried");
      assert.ok(!row.error_log!.includes(String(listener.state.port)), row.error_log!);
    }
    assert.equal(
      download.error_log,
      "openai sent an image URL whose destination was refused (the host is a loopback address; " +
        "only public internet addresses are called)",
    );
    assert.equal(
      generation.error_log,
      "openai was not called: the destination was refused (the host is a link-local address; " +
        "only public internet addresses are called)",
    );
    assert.deepEqual(
      net.requests,
      [`POST ${PROVIDER}/images/generations`],
      "only the public provider was called",
    );
    assert.equal(listener.state.connections, 0, "nothing reached the canary");
  } finally {
    listener.close();
    await net.close();
    await sql.end();
  }
});
