/**
 * Counting completions as they happen: a trigger (in a schema of its own, dropped afterwards)
 * records every transition of a job to `completed`, so a job completed twice shows as two rows even
 * though the job itself only keeps its last state.
 * @module
 */
import type { Db } from "../../../tests/helpers/jobs.ts";

export async function installCompletionsAudit(sql: Db): Promise<void> {
  await sql.unsafe(`
    create schema if not exists proof_faults;
    create table if not exists proof_faults.completions (job_id uuid not null, at timestamptz not null default now());
    create or replace function proof_faults.record_completion() returns trigger language plpgsql as $$
    begin
      insert into proof_faults.completions (job_id) values (new.id);
      return new;
    end $$;
    drop trigger if exists proof_faults_completions on public.jobs;
    create trigger proof_faults_completions after update of status on public.jobs
      for each row when (new.status = 'completed' and old.status is distinct from 'completed')
      execute function proof_faults.record_completion();
  `);
}

/** How many times each of the user's jobs was completed. */
export async function completionsPerJob(sql: Db, userId: string): Promise<Map<string, number>> {
  const rows = await sql<{ id: string; n: number }[]>`
    select j.id, count(c.job_id)::int as n
    from public.jobs j left join proof_faults.completions c on c.job_id = j.id
    where j.user_id = ${userId} group by j.id`;
  return new Map(rows.map((row) => [row.id, row.n]));
}

export async function dropCompletionsAudit(sql: Db): Promise<void> {
  await sql.unsafe(`
    drop trigger if exists proof_faults_completions on public.jobs;
    drop schema if exists proof_faults cascade;
  `);
}
