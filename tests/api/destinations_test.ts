/**
 * No server-side request forgery through a provider's base URL. The local stack allows private
 * destinations for its functions (its fakes listen on 127.0.0.1), so here an `api` function runs
 * as on a hosted project, with `ALLOW_PRIVATE_DESTINATIONS=false`, beside the stack: activation and
 * PATCH with a base URL on the metadata address, loopback (in several spellings) or the private
 * network are 422 `url_not_allowed`, nothing is stored, and a refused base URL already stored makes
 * the catalogue say so without calling it. A canary listener on loopback counts what reaches it;
 * the same activation through the stack's own api (private allowed) reaches it, as a control.
 */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { db, isLocalStack } from "../helpers/env.ts";
import { giveImageProvider } from "../helpers/jobs.ts";
import { type OwnFunctions, startOwnFunctions } from "../helpers/own_functions.ts";
import { testKey } from "../helpers/providers.ts";
import { canary } from "../helpers/canary.ts";

/** Calls the hosted-like api function directly, as the gateway would. */
async function hosted(api: OwnFunctions, user: TestUser, method: string, path: string, body?: unknown) {
  const response = await fetch(api.url("api") + path, {
    method,
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: response.status, body: await response.json() };
}

function assertRefused(result: { status: number; body: Record<string, unknown> }, secretish: string[]) {
  assert.equal(result.status, 422, JSON.stringify(result.body));
  assert.equal(result.body.code, "url_not_allowed", JSON.stringify(result.body));
  assert.match(String(result.body.message), /the destination was refused \(.*only public internet addresses/);
  for (const text of secretish) {
    assert.ok(!String(result.body.message).includes(text), String(result.body.message));
  }
}

Deno.test({
  name: "with private destinations refused, base URLs on internal addresses are 422 and never called",
  ignore: !isLocalStack,
  async fn() {
    const sql = db();
    const listener = canary();
    const port = listener.state.port;
    await using api = await startOwnFunctions(["api"], "ALLOW_PRIVATE_DESTINATIONS=false\n");
    try {
      const user = await signUpUser();
      const forms = [
        "http://169.254.169.254/v1",
        `http://127.0.0.1:${port}/v1`,
        `http://2130706433:${port}/v1`,
        `http://0x7f.1:${port}/v1`,
        `http://[::ffff:127.0.0.1]:${port}/v1`,
        `http://localhost.:${port}/v1`,
        `http://evil@127.0.0.1:${port}/v1`,
        "http://10.0.0.1/v1",
        "http://[fd00:ec2::254]/v1",
      ];
      for (const base_url of forms) {
        const activated = await hosted(api, user, "POST", "/v1/providers/activate", {
          provider: "openai_compatible",
          api_key: testKey(),
          base_url,
        });
        assertRefused(activated, [String(port)]);
      }
      const overridden = await hosted(api, user, "POST", "/v1/providers/activate", {
        provider: "openai",
        api_key: testKey(),
        base_url: `http://127.0.0.1:${port}/v1`,
      });
      assertRefused(overridden, [String(port)]);
      assert.deepEqual((await hosted(api, user, "GET", "/v1/providers")).body, [], "nothing was stored");

      // PATCH: a row with a public base URL; moving it inside is refused, with or without a key.
      await giveImageProvider(sql, user.id, "https://api.example.com/v1", { provider: "openai_compatible" });
      for (
        const update of [
          { base_url: "http://169.254.169.254/latest" },
          { base_url: `http://[::1]:${port}/v1`, api_key: null },
          { base_url: `http://127.0.0.1:${port}/v1`, api_key: testKey() },
        ]
      ) {
        assertRefused(await hosted(api, user, "PATCH", "/v1/providers/openai_compatible", update), [
          String(port),
        ]);
      }
      const [row] = await sql`select base_url from public.providers where user_id = ${user.id}`;
      assert.equal(row.base_url, "https://api.example.com/v1");

      // A refused base URL stored before the guard: the catalogue names the refusal, and calls nothing.
      await sql`update public.providers set base_url = ${`http://127.0.0.1:${port}/v1`} where user_id = ${user.id}`;
      assertRefused(await hosted(api, user, "GET", "/v1/providers/openai_compatible/models?refresh=true"), [
        String(port),
      ]);
      const browsed = await hosted(api, user, "GET", "/v1/models?refresh=true");
      assert.equal(browsed.status, 200);
      assert.deepEqual(browsed.body.provider_errors.map((e: { code: string }) => e.code), [
        "url_not_allowed",
      ]);
      assert.equal(listener.state.connections, 0, "nothing reached the canary");

      // Control: the stack's own api allows private destinations, and the same base URL reaches it.
      const control = await call("/v1/providers/activate", {
        method: "POST",
        token: user.token,
        body: { provider: "openai_compatible", api_key: testKey(), base_url: `http://127.0.0.1:${port}/v1` },
      });
      assert.equal(control.status, 424, JSON.stringify(control.body));
      assert.ok(listener.state.connections > 0, "the canary counts what reaches it");
    } finally {
      listener.close();
      await sql.end();
    }
  },
});
