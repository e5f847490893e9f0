-- complete_jobs reaches each job of a batch by its key (issue 20). Joined straight to jsonb_to_recordset
-- (estimated at 100 rows), the completion could be planned as a scan of the whole table for the few
-- processing jobs once the table had been analyzed, now that no index covers them
-- (20261208000100_jobs_hot_claim.sql): 1.3 ms for 8 jobs out of 10,000. Unpacked into arrays first, the
-- batch is known to be a handful of rows. A new migration rather than an edit of that one: projects that
-- already applied it get this with `supabase db push`.

-- p_results: [{"id": <job id>, "lease_token": <token>, "output": {...}}, ...]. Returns one row per
-- job: completed = true when it was completed by this call, or already was with the same token; false
-- for a stale token (cancelled, retried or reclaimed) or an unknown job.
create or replace function private.complete_jobs(p_results jsonb)
returns table (job_id uuid, completed boolean)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_ids uuid[];
  v_tokens uuid[];
  v_outputs jsonb[];
begin
  select array_agg(r.id), array_agg(r.lease_token), array_agg(coalesce(r.output, '{}'::jsonb))
    into v_ids, v_tokens, v_outputs
    from jsonb_to_recordset(coalesce(p_results, '[]'::jsonb)) as r(id uuid, lease_token uuid, output jsonb);

  -- PL/pgSQL rather than SQL: the statement's plan is cached for the session instead of being made
  -- again on every call.
  return query
  with results as (
    select r.id, r.lease_token, r.output from unnest(v_ids, v_tokens, v_outputs) as r(id, lease_token, output)
  ),
  done as (
    update public.jobs j
    set status = 'completed',
        output_data = r.output,
        error_log = null,
        locked_until = null,
        finished_at = now(),
        updated_at = now()
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
