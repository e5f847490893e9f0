import assert from "node:assert/strict";
import { parseConfig } from "../../shared/config/env.ts";
import { clientUrl } from "../../shared/storage/service-storage.ts";
import { localDevelopmentEnv } from "../../stack/config.ts";

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

Deno.test("the public API URL defaults to SUPABASE_URL, and a set one is validated", () => {
  assert.equal(parseConfig(base).publicUrl, "http://127.0.0.1:54321");
  assert.equal(parseConfig({ ...base, PUBLIC_API_URL: "" }).publicUrl, "http://127.0.0.1:54321");
  assert.equal(
    parseConfig({ ...base, PUBLIC_API_URL: "https://api.example.com/" }).publicUrl,
    "https://api.example.com",
  );
  assert.equal(
    parseConfig({ ...base, PUBLIC_API_URL: "http://192.168.1.20:54321/supabase" }).publicUrl,
    "http://192.168.1.20:54321/supabase",
  );
  for (const bad of ["api.example.com", "ftp://api.example.com", "https://api.example.com/?x=1"]) {
    assert.throws(() => parseConfig({ ...base, PUBLIC_API_URL: bad }), /PUBLIC_API_URL must/, bad);
  }
});

Deno.test("private destinations are refused unless ALLOW_PRIVATE_DESTINATIONS is true; the local stack sets it", () => {
  assert.equal(parseConfig(base).allowPrivateDestinations, false);
  assert.equal(parseConfig({ ...base, ALLOW_PRIVATE_DESTINATIONS: "" }).allowPrivateDestinations, false);
  assert.equal(parseConfig({ ...base, ALLOW_PRIVATE_DESTINATIONS: "false" }).allowPrivateDestinations, false);
  assert.equal(parseConfig({ ...base, ALLOW_PRIVATE_DESTINATIONS: "true" }).allowPrivateDestinations, true);
  for (const bad of ["yes", "1", "TRUE"]) {
    assert.throws(
      () => parseConfig({ ...base, ALLOW_PRIVATE_DESTINATIONS: bad }),
      /ALLOW_PRIVATE_DESTINATIONS must be "true" or "false"/,
      bad,
    );
  }
  assert.equal(localDevelopmentEnv().ALLOW_PRIVATE_DESTINATIONS, "true");
});

Deno.test("a URL Storage returns is handed out on the public API URL, path and query kept", () => {
  const signed = "http://kong:8000/storage/v1/object/sign/job-images/u/j/1.png?token=abc.def";
  const urls = { supabaseUrl: "http://kong:8000", publicUrl: "http://192.168.1.20:54321" };
  assert.equal(
    clientUrl(signed, urls),
    "http://192.168.1.20:54321/storage/v1/object/sign/job-images/u/j/1.png?token=abc.def",
  );
  assert.equal(
    clientUrl(signed, { ...urls, publicUrl: "https://example.com/supabase" }),
    "https://example.com/supabase/storage/v1/object/sign/job-images/u/j/1.png?token=abc.def",
  );
  // Unchanged when the two agree (hosted: both are https://<ref>.supabase.co).
  assert.equal(clientUrl(signed, { supabaseUrl: "http://kong:8000", publicUrl: "http://kong:8000" }), signed);
  // Built on another origin all the same: the path is the gateway's.
  assert.equal(
    clientUrl("http://storage:5000/storage/v1/object/public/b/x.png", urls),
    "http://192.168.1.20:54321/storage/v1/object/public/b/x.png",
  );
});
