import assert from "node:assert/strict";
import { parseConfig } from "../../shared/config/env.ts";

const base = {
  SUPABASE_URL: "http://127.0.0.1:54321/",
  SUPABASE_DB_URL: "postgresql://postgres:postgres@127.0.0.1:54322/postgres",
  SUPABASE_ANON_KEY: "anon",
};

Deno.test("a complete environment is read once into a typed configuration with defaults", () => {
  const config = parseConfig({
    ...base,
    SUPABASE_SERVICE_ROLE_KEY: "service",
    SUPABASE_SECRET_KEYS: '{"default":"sb_secret_x"}',
    SUPABASE_PUBLISHABLE_KEYS: '{"default":"sb_publishable_x"}',
    CORS_ALLOWED_ORIGINS: "https://a.example, https://b.example",
  });
  assert.equal(config.supabaseUrl, "http://127.0.0.1:54321");
  assert.equal(config.publicKey, "sb_publishable_x");
  assert.deepEqual(config.serviceCredentials, ["service", "sb_secret_x"]);
  assert.deepEqual(config.corsOrigins, ["https://a.example", "https://b.example"]);
  assert.equal(config.maxBodyBytes, 1024 * 1024);
  assert.equal(config.dbPoolMax, 10);
  assert.equal(config.catalogueTtlSeconds, 60);
  assert.equal(config.streamHeartbeatMs, 15_000);
  assert.equal(parseConfig({ ...base, CHAT_STREAM_HEARTBEAT_SECONDS: "0.25" }).streamHeartbeatMs, 250);
  assert.equal(parseConfig(base).corsOrigins, "*");
  assert.equal(config.dbUrl, base.SUPABASE_DB_URL);
  assert.equal(config.dbTransactionPooler, false);
});

Deno.test("DB_POOLER_URL, when set, is where the functions connect, as a transaction pooler", () => {
  const pooler =
    "postgres://postgres.abcdefghijklmnopqrst:secret@aws-0-eu-west-1.pooler.supabase.com:6543/postgres";
  const config = parseConfig({ ...base, DB_POOLER_URL: pooler });
  assert.equal(config.dbUrl, pooler);
  assert.equal(config.dbTransactionPooler, true);
  // Empty (a blank line in an .env file) counts as unset.
  assert.equal(parseConfig({ ...base, DB_POOLER_URL: "" }).dbUrl, base.SUPABASE_DB_URL);
});

Deno.test("a missing or malformed variable fails with its name", () => {
  const cases: [Record<string, string | undefined>, RegExp][] = [
    [{ ...base, SUPABASE_URL: undefined }, /SUPABASE_URL is not set/],
    [{ ...base, SUPABASE_DB_URL: undefined }, /SUPABASE_DB_URL is not set/],
    [{ ...base, SUPABASE_DB_URL: "mysql://x" }, /SUPABASE_DB_URL must be a postgres:\/\/ URL/],
    [{ ...base, SUPABASE_ANON_KEY: undefined }, /SUPABASE_PUBLISHABLE_KEYS/],
    [{ ...base, SUPABASE_SECRET_KEYS: "{not json" }, /SUPABASE_SECRET_KEYS is not valid JSON/],
    [{ ...base, MAX_BODY_BYTES: "-1" }, /MAX_BODY_BYTES/],
    [{ ...base, DB_POOLER_URL: "https://pooler.example" }, /DB_POOLER_URL must be a postgres:\/\/ URL/],
  ];
  for (const [env, message] of cases) assert.throws(() => parseConfig(env), message);
});
