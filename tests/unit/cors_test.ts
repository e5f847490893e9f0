/**
 * CORS headers (shared/http/cors.ts) on every kind of answer — a route's, an error's, a 404 — with any
 * origin allowed or a configured list, and preflights answered as hono/cors answers them.
 */
import assert from "node:assert/strict";
import { Hono } from "hono";
import { corsHeaders } from "../../shared/http/cors.ts";

const EXPOSED = ["X-Request-ID", "X-Next-Cursor"];

function app(origin: string | string[]) {
  const hono = new Hono();
  hono.use("*", corsHeaders({ origin, exposeHeaders: EXPOSED }));
  hono.get("/ok", (c) => c.json({ ok: true }));
  hono.get("/raw", () => new Response("raw"));
  hono.get("/fails", () => {
    throw new Error("boom");
  });
  hono.onError((_, c) => c.json({ message: "failed" }, 500));
  return hono;
}

const get = (hono: Hono, path: string, origin?: string) =>
  hono.fetch(new Request(`http://x${path}`, { headers: origin ? { origin } : {} }));

Deno.test("any origin: every answer allows it and exposes the headers, without Vary", async () => {
  const hono = app("*");
  for (const path of ["/ok", "/raw", "/fails", "/missing"]) {
    const response = await get(hono, path, "https://app.example");
    assert.equal(response.headers.get("access-control-allow-origin"), "*", path);
    assert.equal(response.headers.get("access-control-expose-headers"), "X-Request-ID,X-Next-Cursor", path);
    assert.equal(response.headers.get("vary"), null, path);
  }
  assert.equal((await get(hono, "/ok")).headers.get("access-control-allow-origin"), "*", "no Origin sent");
});

Deno.test("configured origins: a listed one is echoed, another is not, and answers vary by origin", async () => {
  for (const origin of ["https://app.example", ["https://other.example", "https://app.example"]]) {
    const hono = app(origin);
    for (const path of ["/ok", "/fails", "/missing"]) {
      const listed = await get(hono, path, "https://app.example");
      assert.equal(listed.headers.get("access-control-allow-origin"), "https://app.example", path);
      assert.equal(listed.headers.get("vary"), "Origin", path);
      const other = await get(hono, path, "https://evil.example");
      assert.equal(other.headers.get("access-control-allow-origin"), null, path);
      assert.equal(other.headers.get("vary"), "Origin", path);
    }
  }
});

Deno.test("a preflight is answered 204 with the methods and the requested headers allowed", async () => {
  const response = await app(["https://app.example"]).fetch(
    new Request("http://x/ok", {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    }),
  );
  assert.equal(response.status, 204);
  assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example");
  assert.match(response.headers.get("access-control-allow-methods") ?? "", /POST/);
  assert.equal(response.headers.get("access-control-allow-headers"), "authorization,content-type");
  assert.match(response.headers.get("vary") ?? "", /Origin/);
});
