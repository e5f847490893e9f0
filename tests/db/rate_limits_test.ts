/**
 * The rate limits in the database itself: the image-job limit holds for an insert through the Data
 * API as `authenticated` (PostgREST's way: role and claims set in the transaction), with the
 * database's rule (private.rate_limit_rules); sign-in attempts count before Auth answers and the
 * lockout's wait doubles with each one over the threshold up to its cap; and once an email draws many
 * failures from all addresses, one attempt locks an address out while an address without any is not
 * refused.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { db } from "../helpers/env.ts";

const sql = db();

async function newUser(): Promise<string> {
  const [{ id }] = await sql<{ id: string }[]>`
    insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
            'limits-' || gen_random_uuid() || '@example.test', '{"provider": "email"}', '{}', now(), now())
    returning id`;
  return id;
}

class RollBack extends Error {}

/** Runs `work` as PostgREST would for the user, in a transaction that is always rolled back. */
async function asDataApi(userId: string, work: (tx: postgres.TransactionSql) => Promise<void>) {
  const claims = JSON.stringify({ sub: userId, role: "authenticated", aud: "authenticated" });
  await sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
    await work(tx);
    throw new RollBack();
  }).catch((error) => {
    if (!(error instanceof RollBack)) throw error;
  });
}

const sqlState = (promise: Promise<unknown>) =>
  promise.then(() => null, (error: postgres.PostgresError) => ({ code: error.code, detail: error.detail }));

Deno.test("a direct insert into jobs as authenticated is held to the database's image-job rule", async () => {
  const [rule] = await sql<{ max_hits: number; window_seconds: number }[]>`
    select max_hits, window_seconds from private.rate_limit_rules where name = 'image_jobs'`;
  const [user, other] = [await newUser(), await newUser()];
  await asDataApi(user, async (tx) => {
    await tx`insert into public.jobs (user_id, job_type, input_data)
             select ${user}, 'image_generation', '{"prompt": "x"}' from generate_series(1, ${rule.max_hits})`;
    const refused = await sqlState(
      tx`savepoint one_more`.then(() =>
        tx`insert into public.jobs (user_id, job_type, input_data) values (${user}, 'image_generation', '{}')`
      ),
    );
    assert.equal(refused?.code, "RL429");
    assert.ok(
      Number(refused?.detail) >= 1 && Number(refused?.detail) <= rule.window_seconds,
      refused?.detail,
    );
    await tx`rollback to savepoint one_more`;
    const [{ n }] = await tx`select count(*)::int as n from public.jobs where user_id = ${user}`;
    assert.equal(n, rule.max_hits, "the refused row was not stored");
  });
  // Another user is not affected; the service role is not limited.
  await asDataApi(other, async (tx) => {
    await tx`insert into public.jobs (user_id, job_type, input_data) values (${other}, 'image_generation', '{}')`;
  });
  await sql.begin(async (tx) => {
    await tx`select set_config('role', 'service_role', true)`;
    await tx`insert into public.jobs (user_id, job_type, input_data)
             select ${user}, 'image_generation', '{}' from generate_series(1, ${rule.max_hits + 1})`;
    throw new RollBack();
  }).catch((error) => assert.ok(error instanceof RollBack, String(error)));
});

const LOCKOUT = { after: 3, base: 30, max: 100, emailAfter: 4 };

function check(email: string, address: string, emailAfter = LOCKOUT.emailAfter) {
  return sqlState(sql`select private.check_sign_in(${email}, ${address}, 1000, 60,
    ${LOCKOUT.after}, ${LOCKOUT.base}, ${LOCKOUT.max}, ${emailAfter})`);
}

const fail = (email: string) => sql`select private.record_sign_in_failure(${email})`;

/** As if the address's last attempt were an hour older (its wait has passed). */
const later = (email: string, address: string) =>
  sql`update private.sign_in_failures set last_failed_at = last_failed_at - interval '1 hour'
      where email_hash = private.email_hash(${email}) and address = ${address}`;

Deno.test("attempts count before Auth answers; the wait doubles with each one over the threshold, up to its cap", async () => {
  const email = `Lockout-${crypto.randomUUID()}@Example.test`;
  const address = `198.18.${Math.floor(Math.random() * 255)}.1`;
  for (let i = 0; i < LOCKOUT.after; i++) assert.equal(await check(email, address, 1000), null);
  const waits: (string | undefined)[] = [];
  for (let round = 0; round < 4; round++) {
    waits.push((await check(email.toLowerCase(), address, 1000))?.detail);
    await later(email, address);
    assert.equal(await check(email, address, 1000), null, "let through once the wait has passed");
  }
  assert.deepEqual(waits, ["30", "60", "100", "100"]);
  await sql`select private.clear_sign_in_failures(${email}, ${address})`;
  assert.equal(await check(email, address, 1000), null, "cleared for this address");
});

Deno.test("many failures of one email from all addresses: one failure locks an address out, none does not", async () => {
  const email = `spread-${crypto.randomUUID()}@example.test`;
  for (let i = 1; i <= LOCKOUT.emailAfter; i++) await fail(email);
  assert.equal(await check(email, "198.19.0.1"), null, "an address without failures is let through");
  assert.equal((await check(email, "198.19.0.1"))?.code, "RL429", "after one attempt it waits");
  assert.equal(await check(email, "198.19.1.1"), null, "another address without failures is not refused");
});

Deno.test("the limits schema: only the caller's own counter, for authenticated; nothing for anon", async () => {
  const [row] = await sql`
    select has_schema_privilege('anon', 'limits', 'usage') as anon_usage,
           has_function_privilege('authenticated', 'limits.take_for_caller(text, integer, integer)', 'execute') as user_exec,
           has_function_privilege('anon', 'limits.take_for_caller(text, integer, integer)', 'execute') as anon_exec,
           (select count(*)::int from pg_proc where pronamespace = 'limits'::regnamespace) as functions,
           (select count(*)::int from pg_class where relnamespace = 'limits'::regnamespace) as relations`;
  assert.deepEqual(
    { ...row },
    { anon_usage: false, user_exec: true, anon_exec: false, functions: 1, relations: 0 },
  );
  const refused = await sqlState(sql.begin(async (tx) => {
    await tx`select set_config('role', 'authenticated', true)`;
    await tx`select limits.take_for_caller('replies', 10, 60)`;
  }));
  assert.equal(refused?.code, "42501", "no claims, no counter");
});

Deno.test({
  name: "close the database client",
  fn: async () => await sql.end(),
  sanitizeOps: false,
  sanitizeResources: false,
});
