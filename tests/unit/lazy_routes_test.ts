/**
 * The api function mounts a domain's routes on the first request that could reach them
 * (shared/http/lazy-routes.ts): a request's path key must name every domain with a route or
 * middleware that could match it, or the request would miss a route (or a 405's Allow would be short).
 */
import assert from "node:assert/strict";
import { API_DOMAINS } from "../../shared/api.ts";
import { Hono } from "hono";
import { type App, createApp, failingRouter } from "../../shared/http/app.ts";
import { LazyRoutes, pathKey } from "../../shared/http/lazy-routes.ts";
import type { AppEnv } from "../../shared/http/types.ts";

Deno.test("a path's key is its first segments under the base path", () => {
  assert.equal(pathKey("/api", "/api/v1/chats/abc/messages"), "v1/chats");
  assert.equal(pathKey("/api", "/api/v1/chats"), "v1/chats");
  assert.equal(pathKey("/api", "/api/v1/chats/"), "v1/chats");
  assert.equal(pathKey("/api", "/api/v1"), "v1");
  assert.equal(pathKey("/api", "/api/v1/"), "v1/");
  assert.equal(pathKey("/api", "/api/health"), "health");
  assert.equal(pathKey("/api", "/api/openapi.json"), "openapi.json");
  assert.equal(pathKey("/api", "/api"), "");
  assert.equal(pathKey("/api", "/api/"), "");
  assert.equal(pathKey("/api", "/apix/v1/chats"), undefined);
  assert.equal(pathKey("/api", "/"), undefined);
});

Deno.test("every route of every domain starts with a literal key of its own domain", async () => {
  const problems: string[] = [];
  let routes = 0;
  for (const [name, domain] of Object.entries(API_DOMAINS)) {
    for (const route of (await domain.load()).routes) {
      routes++;
      const path = `/api${route.path === "/" ? "" : route.path}`;
      const key = pathKey("/api", path)!;
      if (/[:*?{]/.test(key)) problems.push(`${name}: ${route.method} ${route.path} has no literal key`);
      else if (!domain.keys.includes(key)) {
        problems.push(`${name}: ${route.method} ${route.path} (key "${key}")`);
      }
    }
  }
  assert.deepEqual(problems, []);
  assert.ok(routes > 150, `${routes} routes read`);
});

function countingDomain(keys: string[], loads: { count: number }, answer: string) {
  return {
    keys,
    load: async () => {
      loads.count++;
      await new Promise((resolve) => setTimeout(resolve, 10));
      return answer;
    },
  };
}

/** An app that answers with the names of the routers mounted in it. */
const composeNames = (routers: string[]) => ({ fetch: () => new Response(routers.join(",")) });
const keyOfUrl = (request: Request) => pathKey("/api", new URL(request.url).pathname);

Deno.test("concurrent first requests share one import; the app mounts domains in their declared order", async () => {
  const [a, b] = [{ count: 0 }, { count: 0 }];
  const routes = new LazyRoutes(
    { a: countingDomain(["v1/a", "v1/both"], a, "A"), b: countingDomain(["v1/b", "v1/both"], b, "B") },
    composeNames,
    keyOfUrl,
  );
  const get = async (path: string) => await (await routes.fetch(new Request(`http://x/api${path}`))).text();
  assert.equal(await get("/v1/none"), "");
  assert.deepEqual(await Promise.all([get("/v1/b"), get("/v1/b/x"), get("/v1/b")]), ["B", "B", "B"]);
  assert.equal(b.count, 1);
  assert.equal(a.count, 0);
  assert.equal(await get("/v1/both"), "A,B");
  assert.equal(await get("/v1/a"), "A,B");
  assert.deepEqual([a.count, b.count], [1, 1]);
});

Deno.test("a domain whose import failed is imported again by the next request", async () => {
  let attempts = 0;
  const routes = new LazyRoutes(
    {
      flaky: {
        keys: ["v1/flaky"],
        load: () => ++attempts === 1 ? Promise.reject(new Error("import failed")) : Promise.resolve("F"),
      },
    },
    composeNames,
    keyOfUrl,
  );
  const request = () => routes.fetch(new Request("http://x/api/v1/flaky"));
  await assert.rejects(async () => await request(), /import failed/);
  assert.equal(await (await request()).text(), "F");
  assert.equal(attempts, 2);
});

Deno.test("a request whose domain could not be imported gets the app's 500, and the next one the route", async () => {
  let attempts = 0;
  const compose = (routers: App[]) => {
    const app = createApp("/api");
    for (const router of routers) app.route("/", router);
    return app;
  };
  const routes = new LazyRoutes<App>(
    {
      flaky: {
        keys: ["v1/flaky"],
        load: () =>
          ++attempts === 1
            ? Promise.reject(new Error("import failed"))
            : Promise.resolve(new Hono<AppEnv>().get("/v1/flaky", (c) => c.json({ ok: true }))),
      },
    },
    compose,
    keyOfUrl,
    failingRouter,
  );
  const log = console.error;
  console.error = () => {};
  try {
    const failed = await routes.fetch(new Request("http://x/api/v1/flaky"));
    assert.equal(failed.status, 500);
    const body = await failed.json();
    assert.equal(body.code, "internal_error");
    assert.match(body.message, /went wrong/);
    assert.ok(!JSON.stringify(body).includes("import failed"), "the cause stays in the log");
  } finally {
    console.error = log;
  }
  const answered = await routes.fetch(new Request("http://x/api/v1/flaky"));
  assert.deepEqual([answered.status, await answered.json()], [200, { ok: true }]);
});
