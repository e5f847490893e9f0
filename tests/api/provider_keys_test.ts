import assert from "node:assert/strict";
import { asUser, createDatabase } from "../../shared/db/client.ts";
import { getProviderConnection, readProviderKey } from "../../shared/providers/service.ts";
import { call, signUpUser } from "../helpers/api.ts";
import { db, env, stackLog } from "../helpers/env.ts";
import { startFakeProvider } from "../helpers/fake_providers.ts";
import { activateFake, testKey } from "../helpers/providers.ts";

async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

Deno.test("a key never leaves the database except to the provider: not in responses, logs or columns", async () => {
  const user = await signUpUser();
  const [first, second, rejected] = [testKey("sk-leak-"), testKey("sk-leak-"), testKey("sk-leak-")];
  await using openai = startFakeProvider("openai", { validKeys: [first, second] });
  openai.behaviour.echoKeyInErrors = true;
  const responses: unknown[] = [];
  const record = async (response: Promise<{ status: number; body: unknown; headers: Headers }>) => {
    const { status, body, headers } = await response;
    responses.push(status, body, [...headers]);
    return body;
  };
  const patch = (apiKey: string) =>
    call("/v1/providers/openai", { method: "PATCH", token: user.token, body: { api_key: apiKey } });

  await record(activateFake(user.token, openai, { apiKey: first }));
  await record(patch(second));
  const refused = await record(patch(rejected)) as { detail: string };
  assert.match(refused.detail, /\[redacted\]/, "the provider echoed the key: the API masks it");
  for (
    const path of [
      "/v1/providers",
      "/v1/providers/status",
      "/v1/providers/openai/models?refresh=true",
      "/v1/models",
      "/v1/users/profile/export",
    ]
  ) {
    await record(call(path, { token: user.token }));
  }
  assert.ok(openai.requests.some((request) => request.key === second), "the provider did get the key");

  const sql = db();
  try {
    const rows =
      await sql`select to_jsonb(p)::text as row, api_key_hash from public.providers p where user_id = ${user.id}`;
    const [secret] =
      await sql`select decrypted_secret from vault.decrypted_secrets where name = ${`pocketllm/provider_api_key/${user.id}/openai`}`;
    const [raw] = await sql`select count(*)::int as n from vault.secrets where secret like ${
      "%" + second + "%"
    }`;
    assert.equal(secret.decrypted_secret, second, "the current key is the Vault secret");
    assert.equal(rows[0].api_key_hash, await sha256Hex(second));
    assert.equal(raw.n, 0, "the Vault secret is stored encrypted");
    const tables =
      await sql`select format('%I.%I', schemaname, tablename) as name from pg_tables where schemaname = 'public'`;
    const dumps = await Promise.all(
      tables.map(({ name }) =>
        sql.unsafe(`select coalesce(string_agg(to_jsonb(t)::text, ''), '') as text from ${name} t`)
      ),
    );
    responses.push(rows, dumps);
  } finally {
    await sql.end();
  }

  await new Promise((resolve) => setTimeout(resolve, 300)); // let the function's log lines reach the file
  const log = await stackLog();
  if (log) assert.ok(log.includes(user.id), "the log holds this test's requests");
  const seen = JSON.stringify(responses) + log;
  for (const key of [first, second, rejected]) {
    assert.equal(seen.includes(key), false, "a key leaked");
    assert.equal(seen.includes(key.slice(8)), false, "the hidden part of a key leaked");
  }
});

Deno.test("a key is read for a call with the caller's role restored afterwards (RLS still applies)", async () => {
  const [user, stranger] = await Promise.all([signUpUser(), signUpUser()]);
  await using openai = startFakeProvider("openai");
  const key = testKey();
  await activateFake(user.token, openai, { apiKey: key, metadata: { timeout: 3 } });
  await activateFake(stranger.token, openai);
  const appDb = createDatabase(env.dbUrl, { max: 2 });
  try {
    const claims = { sub: user.id, role: "authenticated", aud: "authenticated" };
    const seen = await asUser(claims, async (tx) => {
      const read = await readProviderKey(tx, user.id, "openai");
      const connection = await getProviderConnection(tx, user.id, "openai");
      const [{ role }] = await tx`select current_user::text as role`;
      const [{ rows }] = await tx`select count(*)::int as rows from public.providers`;
      return { read, connection, role, rows };
    }, appDb);
    assert.equal(seen.read, key);
    assert.equal(seen.role, "authenticated");
    assert.equal(seen.rows, 1, "only the caller's own row is visible");
    assert.equal(seen.connection?.apiKey, key);
    assert.equal(seen.connection?.baseUrl, openai.baseUrl);
    assert.equal(seen.connection?.timeoutMs, 3000);
    const none = await asUser(claims, (tx) => getProviderConnection(tx, user.id, "groq"), appDb);
    assert.equal(none, null);
  } finally {
    await appDb.end();
  }
});
