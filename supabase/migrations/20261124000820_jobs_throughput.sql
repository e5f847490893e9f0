-- =====================================================================================================
-- PocketLLM: the queue's throughput
-- Two changes measured with bench/job-drain.ts, semantics unchanged:
-- * private.claim_jobs() walked every due job (an OR of the pending and the expired-lease conditions
--   cannot use either index in order) and sorted them, so each claim cost as much as the backlog was
--   long. It now takes expired leases, then due pending jobs, each by walking its own partial index in
--   order and stopping after p_limit rows.
-- * private.complete_jobs() is the set-based form of private.complete_job(): the same fencing (the
--   lease token must still be the job's, the job must still be processing) and idempotency, one
--   statement for a whole burst of finished jobs.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- Claims up to p_limit jobs for p_lease_seconds: first processing jobs whose lease expired (their
-- worker died; they are the oldest work), then pending jobs whose run_after has come, oldest first,
-- skipping rows another worker holds. Each claimed job becomes 'processing' with attempts + 1, a new
-- lease_token and locked_until. An expired job that has no attempt left is failed instead. Returns
-- the claimed rows (with their lease tokens).
create or replace function private.claim_jobs(p_limit integer default 5, p_lease_seconds integer default 120)
returns setof public.jobs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_claimed integer;
begin
  if p_limit is null or p_limit < 1 or p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'claim_jobs needs a positive limit and lease' using errcode = '22023';
  end if;

  update public.jobs j
  set status = 'failed',
      error_log = format('Gave up after %s attempts: the worker stopped before finishing (lease expired).', j.attempts),
      locked_until = null,
      finished_at = now()
  where j.id in (
    select e.id from public.jobs e
    where e.status = 'processing' and e.locked_until < now() and e.attempts >= e.max_attempts
    for update skip locked
  );

  return query
  with expired as (
    select e.id
    from public.jobs e
    where e.status = 'processing' and e.locked_until < now() and e.attempts < e.max_attempts
      and e.cancelled_at is null
    order by e.locked_until
    limit p_limit
    for update skip locked
  )
  update public.jobs j
  set attempts = j.attempts + 1,
      lease_token = gen_random_uuid(),
      locked_until = now() + make_interval(secs => p_lease_seconds)
  from expired
  where j.id = expired.id
  returning j.*;
  get diagnostics v_claimed = row_count;
  if v_claimed >= p_limit then
    return;
  end if;

  return query
  with due as (
    select p.id
    from public.jobs p
    where p.status = 'pending' and p.cancelled_at is null and p.run_after <= now()
    order by p.run_after, p.created_at, p.id
    limit p_limit - v_claimed
    for update skip locked
  )
  update public.jobs j
  set status = 'processing',
      attempts = j.attempts + 1,
      lease_token = gen_random_uuid(),
      locked_until = now() + make_interval(secs => p_lease_seconds),
      started_at = coalesce(j.started_at, now())
  from due
  where j.id = due.id
  returning j.*;
end
$$;

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
