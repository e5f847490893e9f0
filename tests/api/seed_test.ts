/**
 * The local seed (supabase/seed.sql): the demo account and its welcome chat; the Vault secrets with
 * which `supabase start` wakes the worker (created when missing, idempotent, never overwriting a value
 * already there); and on the local stack, the stack's own values, written after the seed, in force.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { SERVICE_ROLE_KEY } from "../../stack/keys.ts";
import { call } from "../helpers/api.ts";
import { db, env, isLocalStack } from "../helpers/env.ts";

Deno.test({
  name: "the local seed's demo account signs in and has its welcome chat",
  ignore: !isLocalStack,
  fn: async () => {
    const signIn = await call("/v1/auth/signin", {
      method: "POST",
      body: { email: "demo@pocketllm.local", password: "pocketllm-demo" },
    });
    assert.equal(signIn.status, 200);
    assert.equal(signIn.body.user.full_name, "Demo User");
    const chats = await call("/v1/chats", { token: signIn.body.tokens.access_token });
    const welcome = chats.body.find((chat: { title: string }) => chat.title === "Welcome to PocketLLM");
    assert.ok(welcome, "the welcome chat is listed");
    const messages = await call(`/v1/chats/${welcome.id}/messages`, {
      token: signIn.body.tokens.access_token,
    });
    assert.deepEqual(messages.body.map((m: { role: string }) => m.role), ["user", "assistant"]);
  },
});

const WAKE_SECRETS = ["project_url", "service_role_key"];

async function wakeSecrets(sql: postgres.Sql | postgres.TransactionSql) {
  const rows = await sql<{ name: string; value: string }[]>`
    select name, decrypted_secret as value from vault.decrypted_secrets where name in ${sql(WAKE_SECRETS)}
    order by name`;
  return Object.fromEntries(rows.map((row) => [row.name, row.value]));
}

class RolledBack extends Error {}

/** Runs `work` in a transaction of the `postgres` role (as the CLI seeds) that is then rolled back. */
async function rolledBack(work: (tx: postgres.TransactionSql) => Promise<void>): Promise<void> {
  const sql = db();
  try {
    await sql.begin(async (tx) => {
      await work(tx);
      throw new RolledBack();
    }).catch((error) => {
      if (!(error instanceof RolledBack)) throw error;
    });
  } finally {
    await sql.end();
  }
}

const seed = await Deno.readTextFile(new URL("../../supabase/seed.sql", import.meta.url));

Deno.test("the seed stores supabase start's wake-up secrets once, and keeps values already there", async () => {
  await rolledBack(async (tx) => {
    const before = await wakeSecrets(tx);
    await tx.unsafe(seed);
    assert.deepEqual(await wakeSecrets(tx), before, "values already there are kept");

    await tx`delete from vault.secrets where name in ${tx(WAKE_SECRETS)}`;
    await tx.unsafe(seed);
    await tx.unsafe(seed); // seeding again changes nothing and fails on nothing
    assert.deepEqual(await wakeSecrets(tx), {
      project_url: "http://kong:8000",
      service_role_key: SERVICE_ROLE_KEY,
    });
    const [{ count }] = await tx<{ count: number }[]>`
      select count(*)::int as count from vault.secrets where name in ${tx(WAKE_SECRETS)}`;
    assert.equal(count, 2);
  });
});

Deno.test({
  name: "on the local stack the stack's own values are in force (it writes them after the seed)",
  ignore: !isLocalStack,
  fn: async () => {
    const sql = db();
    try {
      assert.deepEqual(await wakeSecrets(sql), { project_url: env.url, service_role_key: SERVICE_ROLE_KEY });
    } finally {
      await sql.end();
    }
  },
});
