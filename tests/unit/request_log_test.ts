import assert from "node:assert/strict";
import type { UserClaims } from "../../shared/auth/claims.ts";
import { requireUser } from "../../shared/auth/middleware.ts";
import { createApp } from "../../shared/http/app.ts";
import { createRouter } from "../../shared/http/router.ts";

/** Two domains guarding the same prefix, as chats, branches and generations do. */
function appWithTwoGuards(verify: (token: string) => Promise<UserClaims>) {
  const app = createApp("/api");
  const chats = createRouter();
  chats.use("/v1/things", requireUser(() => verify));
  chats.use("/v1/things/*", requireUser(() => verify));
  chats.get("/v1/things/:id", (c) => c.json({ id: c.req.param("id") }));
  const branches = createRouter();
  branches.use("/v1/things/*", requireUser(() => verify));
  branches.post("/v1/things/:id/branches", (c) => c.json({}));
  app.route("/", chats);
  app.route("/", branches);
  return app;
}

/** The request log lines `work` printed, parsed. */
async function requestLines(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const printed: string[] = [];
  const log = console.log;
  console.log = (line: string) => void printed.push(line);
  try {
    await work();
  } finally {
    console.log = log;
  }
  return printed.map((line) => JSON.parse(line)).filter((line) => line.msg === "request");
}

const claims = { sub: "9a4c1a36-5d0f-4a47-8d1c-2b1a8c1f0e11", role: "authenticated" } as UserClaims;

Deno.test("the request log names the route that answered, even when a later domain's middleware matched too", async () => {
  const app = appWithTwoGuards(() => Promise.resolve(claims));
  const lines = await requestLines(async () => {
    const found = await app.request("/api/v1/things/42", { headers: { authorization: "Bearer t" } });
    assert.equal(found.status, 200);
    const missing = await app.request("/api/v1/nothing");
    assert.equal(missing.status, 404);
  });
  assert.deepEqual(lines.map((line) => [line.route, line.status, line.user_id]), [
    ["/api/v1/things/:id", 200, claims.sub],
    [null, 404, null],
  ]);
});

Deno.test("a token is verified once per request, however many domains guard its path", async () => {
  let verified = 0;
  const app = appWithTwoGuards(() => {
    verified += 1;
    return Promise.resolve(claims);
  });
  await requestLines(async () => {
    // The later domain's route: both domains' guards run before it.
    const response = await app.request("/api/v1/things/42/branches", {
      method: "POST",
      headers: { authorization: "Bearer t" },
    });
    assert.equal(response.status, 200);
  });
  assert.equal(verified, 1);
});
