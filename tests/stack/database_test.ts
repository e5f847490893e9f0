import assert from "node:assert/strict";
import { db } from "../helpers/env.ts";

const sql = db();

Deno.test.afterAll?.(() => sql.end());

Deno.test("auth.uid() returns the sub of claims set as PostgREST sets them", async () => {
  const sub = crypto.randomUUID();
  const claims = JSON.stringify({ sub, role: "authenticated", aud: "authenticated" });
  const rows = await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    return await tx`select auth.uid() as uid, auth.role() as role, current_user as who, auth.jwt() ->> 'aud' as aud`;
  });
  assert.deepEqual({ ...rows[0] }, {
    uid: sub,
    role: "authenticated",
    who: "authenticated",
    aud: "authenticated",
  });
  const [outside] = await sql`select auth.uid() as uid`;
  assert.equal(outside.uid, null);
});

Deno.test("a Vault secret round-trips, is stored encrypted, and authenticated cannot read it", async () => {
  const value = `sk-test-${crypto.randomUUID()}`;
  const name = `test-secret-${crypto.randomUUID()}`;
  const [{ id }] = await sql`select vault.create_secret(${value}, ${name}) as id`;
  try {
    const [stored] = await sql`select secret, decrypted_secret from vault.decrypted_secrets where id = ${id}`;
    assert.equal(stored.decrypted_secret, value);
    assert.ok(!stored.secret.includes(value), "the stored column must not hold the plain text");

    await sql`select vault.update_secret(${id}, ${value + "-rotated"})`;
    const [rotated] = await sql`select decrypted_secret from vault.decrypted_secrets where id = ${id}`;
    assert.equal(rotated.decrypted_secret, value + "-rotated");

    for (const attempt of ["select * from vault.decrypted_secrets", "select * from vault.secrets"]) {
      await assert.rejects(
        sql.begin(async (tx) => {
          await tx`select set_config('role', 'authenticated', true)`;
          await tx.unsafe(attempt);
        }),
        /permission denied/,
      );
    }
    await assert.rejects(
      sql.begin(async (tx) => {
        await tx`select set_config('role', 'authenticated', true)`;
        await tx`select vault.create_secret('x')`;
      }),
      /permission denied/,
    );
  } finally {
    await sql`delete from vault.secrets where id = ${id}`;
  }
});

Deno.test("net.http_post queues a request only when its transaction commits", async () => {
  const marker = crypto.randomUUID();
  const url = `http://127.0.0.1:9/${marker}`;
  const rolledBack = sql.begin(async (tx) => {
    const [{ id }] = await tx`select net.http_post(${url + "/rollback"}, '{"a":1}'::jsonb) as id`;
    const [queued] = await tx`select method, url from net.http_request_queue where id = ${id}`;
    assert.equal(queued.method, "POST", "visible inside its own transaction");
    throw new Error("roll back");
  });
  await assert.rejects(rolledBack, /roll back/);
  const [{ count }] = await sql`select count(*)::int as count from net.http_request_queue where url like ${
    "%" + marker + "/rollback"
  }`;
  assert.equal(count, 0);

  const [{ id }] = await sql`select net.http_post(${url + "/commit"}, '{"a":1}'::jsonb) as id`;
  // Once committed, the request is either still queued or already handled by the dispatcher.
  const [seen] = await sql`
    select (select count(*) from net.http_request_queue where id = ${id})
         + (select count(*) from net._http_response where id = ${id}) as n`;
  assert.equal(Number(seen.n), 1);
});

Deno.test("net.http_post refuses a content type other than application/json", async () => {
  await assert.rejects(
    sql`select net.http_post('http://127.0.0.1:9/x', '{}'::jsonb, '{}'::jsonb, '{"Content-Type":"text/plain"}'::jsonb)`,
    /Content-Type header must be "application\/json"/,
  );
});
