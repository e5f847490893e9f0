/**
 * What pgTAP cannot show inside one transaction: claims running at the same time on separate
 * connections never hand out the same job. The claims are rolled back, so nothing else is disturbed.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { db } from "../helpers/env.ts";

async function userWithParkedJobs(
  sql: postgres.Sql,
  count: number,
): Promise<{ userId: string; jobIds: string[] }> {
  const userId = crypto.randomUUID();
  await sql`
    insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', ${userId}, 'authenticated', 'authenticated',
            ${`claims-${userId}@example.test`}, '{"provider":"email"}', '{}', now(), now())`;
  // Not due yet, so the stack's own worker (woken by the insert) leaves them alone.
  const rows = await sql<{ id: string }[]>`
    insert into public.jobs (user_id, job_type, input_data, run_after)
    select ${userId}, 'image_generation', '{"prompt": "p"}'::jsonb, now() + interval '1 hour'
    from generate_series(1, ${count})
    returning id`;
  return { userId, jobIds: rows.map((row) => row.id) };
}

const claim = (tx: postgres.ReservedSql, limit: number) =>
  tx<{ id: string }[]>`select id from private.claim_jobs(${limit}, 60)`.then((rows) => rows.map((r) => r.id));

Deno.test("concurrent claims never get the same job, and a held claim is skipped, not waited on", async () => {
  const sql = db({ max: 4 });
  // Enough that the stack's own worker, which may claim some of them once they are due (tests running
  // beside this one wake it), cannot leave a claimer here without work.
  const { userId, jobIds } = await userWithParkedJobs(sql, 80);
  const [a, b, c] = await Promise.all([sql.reserve(), sql.reserve(), sql.reserve()]);
  try {
    await Promise.all([a`begin`, b`begin`, c`begin`]);
    // Oldest run_after first: these jobs are now the first in line (before the jobs other tests make due).
    await sql`update public.jobs set run_after = '1990-01-01' where id in ${sql(jobIds)}`;

    const [first, second] = await Promise.all([claim(a, 10), claim(b, 10)]);
    const third = await claim(c, 10);
    const all = [...first, ...second, ...third];
    assert.equal(new Set(all).size, all.length, "no job was handed out twice");
    assert.ok(first.length > 0 && second.length > 0 && third.length > 0, "every claimer got work");
    const mine = all.filter((id) => jobIds.includes(id));
    assert.ok(mine.length >= 20, `the held claims were skipped (${mine.length} of this test's jobs claimed)`);
  } finally {
    await Promise.all([a, b, c].map(async (tx) => {
      await tx`rollback`;
      tx.release();
    }));
    // The jobs first: the stack's worker may be ending one of them, which locks its row and then the
    // user's (the notification's key); deleting the user first would lock them the other way round.
    await sql`delete from public.jobs where user_id = ${userId}`;
    await sql`delete from auth.users where id = ${userId}`;
    await sql.end();
  }
});
