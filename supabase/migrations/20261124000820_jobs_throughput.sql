-- =====================================================================================================
-- PocketLLM: the queue's throughput (measured with bench/job-drain.ts)
-- private.complete_jobs() is the set-based form of private.complete_job(): the same fencing (the
-- lease token must still be the job's, the job must still be processing) and idempotency, one
-- statement for a whole burst of finished jobs.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- p_results: [{"id": <job id>, "lease_token": <token>, "output": {...}}, ...]. Returns one row per
-- job: completed = true when it was completed by this call, or already was with the same token; false
-- for a stale token (cancelled, retried or reclaimed) or an unknown job.
create or replace function private.complete_jobs(p_results jsonb)
returns table (job_id uuid, completed boolean)
language plpgsql
security definer
set search_path = ''
as $$
begin
  -- PL/pgSQL rather than SQL: the statement's plan is cached for the session instead of being made
  -- again on every call.
  return query
  with results as (
    select r.id, r.lease_token, coalesce(r.output, '{}'::jsonb) as output
    from jsonb_to_recordset(coalesce(p_results, '[]'::jsonb)) as r(id uuid, lease_token uuid, output jsonb)
  ),
  done as (
    update public.jobs j
    set status = 'completed',
        output_data = r.output,
        error_log = null,
        locked_until = null,
        finished_at = now()
    from results r
    where j.id = r.id and j.lease_token = r.lease_token and j.status = 'processing'
    returning j.id
  )
  -- The outer query sees the rows as they were before `done`: a job completed by an earlier call
  -- with the same token counts as completed too (idempotent), one still processing only via `done`.
  select r.id,
         r.id in (select d.id from done d)
           or exists (select 1 from public.jobs j
                      where j.id = r.id and j.lease_token = r.lease_token and j.status = 'completed')
  from results r;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke execute on function private.complete_jobs(jsonb) from public, anon, authenticated;
grant execute on function private.complete_jobs(jsonb) to service_role;
