/**
 * pg_net's contract as the project relies on it: requests queued with net.http_* leave only after the
 * calling transaction commits, reach the target with method, headers and body intact, and their
 * outcome (response, timeout or transport error) lands in net._http_response.
 */
import assert from "node:assert/strict";
import { db } from "../helpers/env.ts";

interface Hit {
  method: string;
  url: URL;
  headers: Headers;
  body: string;
}

/** A local HTTP server that records every request it receives. */
function startTarget(respond: (request: Request) => Response | Promise<Response> = () => okResponse()) {
  const hits: Hit[] = [];
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
    hits.push({
      method: request.method,
      url: new URL(request.url),
      headers: request.headers,
      body: await request.text(),
    });
    return await respond(request);
  });
  return { hits, server, url: `http://127.0.0.1:${server.addr.port}` };
}

function okResponse(): Response {
  return Response.json({ received: true }, { headers: { "x-target": "yes" } });
}

async function waitFor<T>(
  probe: () => T | undefined | Promise<T | undefined>,
  what: string,
  timeoutMs = 10_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

type Sql = ReturnType<typeof db>;

async function responseOf(sql: Sql, id: string) {
  return await waitFor(async () => {
    const [row] = await sql`
      select status_code, content_type, headers, content, timed_out, error_msg
      from net._http_response where id = ${id}`;
    return row;
  }, `the response to request ${id}`);
}

async function cleanUp(sql: Sql, ids: string[]) {
  await sql`delete from net._http_response where id = any(${ids}::bigint[])`;
  await sql.end();
}

Deno.test("a request queued in a committed transaction arrives intact and its response is recorded", async () => {
  const sql = db();
  const target = startTarget();
  let id = "";
  try {
    [{ id }] = await sql.begin((tx) =>
      tx`select net.http_post(
        url := ${`${target.url}/hook`},
        body := '{"job": 42, "text": "héllo"}'::jsonb,
        params := '{"source": "test run"}'::jsonb,
        headers := '{"Content-Type": "application/json", "X-Api-Key": "k-123"}'::jsonb
      )::text as id`
    );
    const hit = await waitFor(() => target.hits[0], "the request to arrive");
    assert.equal(hit.method, "POST");
    assert.equal(hit.url.pathname, "/hook");
    assert.equal(hit.url.searchParams.get("source"), "test run");
    assert.equal(hit.headers.get("x-api-key"), "k-123");
    assert.equal(hit.headers.get("content-type"), "application/json");
    assert.deepEqual(JSON.parse(hit.body), { job: 42, text: "héllo" });

    const response = await responseOf(sql, id);
    assert.equal(response.status_code, 200);
    assert.match(response.content_type, /application\/json/);
    assert.equal(response.headers["x-target"], "yes");
    assert.deepEqual(JSON.parse(response.content), { received: true });
    assert.equal(response.timed_out, false);
    assert.equal(response.error_msg, null);
    const [queued] = await sql`select count(*)::int as n from net.http_request_queue where id = ${id}`;
    assert.equal(queued.n, 0);
  } finally {
    await target.server.shutdown();
    await cleanUp(sql, [id]);
  }
});

Deno.test("http_get and http_delete send their method, params and body", async () => {
  const sql = db();
  const target = startTarget((request) => new Response(`you sent ${request.method}`, { status: 202 }));
  const ids: string[] = [];
  try {
    const [get] = await sql`select net.http_get(${`${target.url}/items`}, '{"page": "2"}')::text as id`;
    const [del] = await sql`
      select net.http_delete(${`${target.url}/items/7`}, body := '{"reason": "gone"}'::jsonb)::text as id`;
    ids.push(get.id, del.id);
    await waitFor(() => target.hits.length === 2 || undefined, "both requests");
    const byMethod = Object.fromEntries(target.hits.map((hit) => [hit.method, hit]));
    assert.equal(byMethod.GET.url.searchParams.get("page"), "2");
    assert.equal(byMethod.GET.body, "");
    assert.equal(byMethod.DELETE.url.pathname, "/items/7");
    assert.deepEqual(JSON.parse(byMethod.DELETE.body), { reason: "gone" });
    const response = await responseOf(sql, del.id);
    assert.equal(response.status_code, 202);
    assert.equal(response.content, "you sent DELETE");
  } finally {
    await target.server.shutdown();
    await cleanUp(sql, ids);
  }
});

Deno.test("a request queued in a rolled-back transaction is never sent", async () => {
  const sql = db();
  const target = startTarget();
  let id = "";
  try {
    await assert.rejects(
      sql.begin(async (tx) => {
        [{ id }] = await tx`select net.http_post(${`${target.url}/never`})::text as id`;
        throw new Error("roll back");
      }),
      /roll back/,
    );
    // Longer than the dispatcher's poll interval, so a wrongly visible row would have been sent.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    assert.equal(target.hits.length, 0);
    const [recorded] = await sql`select count(*)::int as n from net._http_response where id = ${id}`;
    assert.equal(recorded.n, 0);
  } finally {
    await target.server.shutdown();
    await cleanUp(sql, [id]);
  }
});

Deno.test("a request slower than its timeout is recorded as timed out", async () => {
  const sql = db();
  const target = startTarget(async () => {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    return okResponse();
  });
  let id = "";
  try {
    [{ id }] =
      await sql`select net.http_post(${`${target.url}/slow`}, timeout_milliseconds := 200)::text as id`;
    const response = await responseOf(sql, id);
    assert.equal(response.timed_out, true);
    assert.equal(response.status_code, null);
    assert.match(response.error_msg, /^Timeout of 200 ms reached/);
  } finally {
    await target.server.shutdown();
    await cleanUp(sql, [id]);
  }
});

Deno.test("an unreachable URL records the transport error", async () => {
  const sql = db();
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const closedPort = listener.addr.port;
  listener.close();
  let id = "";
  try {
    [{ id }] = await sql`select net.http_get(${`http://127.0.0.1:${closedPort}/nobody`})::text as id`;
    const response = await responseOf(sql, id);
    assert.equal(response.status_code, null);
    assert.equal(response.timed_out, false);
    assert.match(response.error_msg, /connect/i);
  } finally {
    await cleanUp(sql, [id]);
  }
});

Deno.test("1,000 requests queued at once are each delivered exactly once", async () => {
  const sql = db();
  const target = startTarget();
  let ids: string[] = [];
  try {
    const rows = await sql`
      select net.http_post(${`${target.url}/bulk`}, jsonb_build_object('n', n))::text as id
      from generate_series(1, 1000) as n`;
    ids = rows.map((row) => row.id);
    await waitFor(
      async () => {
        const [done] =
          await sql`select count(*)::int as n from net._http_response where id = any(${ids}::bigint[])`;
        return done.n === 1000 || undefined;
      },
      "1,000 responses",
      30_000,
    );
    const seen = target.hits.map((hit) => JSON.parse(hit.body).n as number);
    assert.equal(seen.length, 1000, "each request arrived once");
    assert.equal(new Set(seen).size, 1000, "no request arrived twice");
    const [ok] = await sql`
      select count(*)::int as n from net._http_response where id = any(${ids}::bigint[]) and status_code = 200`;
    assert.equal(ok.n, 1000);
  } finally {
    await target.server.shutdown();
    await cleanUp(sql, ids);
  }
});
