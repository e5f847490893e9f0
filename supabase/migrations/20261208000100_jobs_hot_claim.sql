-- =====================================================================================================
-- PocketLLM: a claim that rewrites no index entry (issue 20, bench/README.md "Job queue drain")
-- Every job was updated twice outside HOT (heap-only tuple) — claimed (pending → processing, which
-- moved it between two partial indexes) and completed — and those index writes were the floor of the
-- queue's throughput. Now one partial index serves the claim: the unfinished jobs by due time. A
-- claim changes none of its columns (status, lease and attempts are not indexed), so with room left
-- on the page it is a HOT update; only finishing a job (finished_at set) touches the indexes.
--
-- Unfinished ⇔ finished_at is null: pending and processing jobs have none, completed and failed ones
-- always do (a constraint now says so).
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

update public.jobs set finished_at = coalesce(updated_at, now())
where status in ('completed', 'failed') and finished_at is null;
update public.jobs set finished_at = null
where status in ('pending', 'processing') and finished_at is not null;

alter table public.jobs drop constraint if exists jobs_finished_when_ended;
alter table public.jobs add constraint jobs_finished_when_ended
  check ((status in ('pending', 'processing')) = (finished_at is null));

-- Room on each page for the claimed versions of its rows (a HOT update must fit on its own page).
alter table public.jobs set (fillfactor = 60);

-- -----------------------------------------------------------------------------------------------------
-- INDEXES
-- -----------------------------------------------------------------------------------------------------

drop index if exists public.jobs_pending_run_after_idx;
drop index if exists public.jobs_processing_locked_until_idx;

-- Claiming: unfinished jobs by due time. A leased job stays in it (skipped by the claim until its
-- lease expires); the few in flight at a time cost the claim a heap visit each.
create index if not exists jobs_unfinished_run_after_idx
  on public.jobs (run_after, created_at, id)
  where finished_at is null;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

-- The queue functions stamp updated_at themselves: the row trigger (a PL/pgSQL call per row) only
-- runs for an update that left it unchanged.
drop trigger if exists jobs_set_updated_at on public.jobs;
create trigger jobs_set_updated_at
  before update on public.jobs
  for each row
  when (new.updated_at is not distinct from old.updated_at)
  execute function private.set_updated_at();

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- Claims up to p_limit due jobs for p_lease_seconds, oldest first (by run_after), skipping rows
-- another worker holds: pending jobs whose run_after has come, and processing jobs whose lease expired
-- (their worker died) — those take their old place in the order rather than coming first. Each becomes 'processing' with attempts + 1, a new lease_token and locked_until; an expired
-- job with no attempt left is failed instead. Returns the claimed rows (with their lease tokens).
create or replace function private.claim_jobs(p_limit integer default 5, p_lease_seconds integer default 120)
returns setof public.jobs
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_wanted integer := p_limit;
  v_claimed integer;
  v_given_up integer;
  v_job public.jobs;
begin
  if p_limit is null or p_limit < 1 or p_lease_seconds is null or p_lease_seconds < 1 then
    raise exception 'claim_jobs needs a positive limit and lease' using errcode = '22023';
  end if;

  -- Again only when expired jobs out of attempts took places that due jobs may still fill.
  loop
    v_claimed := 0;
    v_given_up := 0;
    -- One update for both outcomes: one statement trigger call (jobs_notify_ended) per claim.
    for v_job in
      with due as (
        select u.id, (u.status = 'processing' and u.attempts >= u.max_attempts) as gives_up
        from public.jobs u
        where u.finished_at is null and u.run_after <= now() and u.cancelled_at is null
          and (u.status = 'pending' or u.locked_until < now())
        order by u.run_after, u.created_at, u.id
        limit v_wanted
        for update skip locked
      )
      update public.jobs j
      set status = case when due.gives_up then 'failed' else 'processing' end,
          attempts = case when due.gives_up then j.attempts else j.attempts + 1 end,
          lease_token = case when due.gives_up then j.lease_token else gen_random_uuid() end,
          locked_until = case when due.gives_up then null else now() + make_interval(secs => p_lease_seconds) end,
          started_at = coalesce(j.started_at, now()),
          finished_at = case when due.gives_up then now() end,
          error_log = case when due.gives_up
                           then format('Gave up after %s attempts: the worker stopped before finishing (lease expired).', j.attempts)
                           else j.error_log end,
          updated_at = now()
      from due
      where j.id = due.id
      returning j.*
    loop
      if v_job.status = 'processing' then
        v_claimed := v_claimed + 1;
        return next v_job;
      else
        v_given_up := v_given_up + 1;
      end if;
    end loop;
    exit when v_given_up = 0 or v_claimed + v_given_up < v_wanted;
    v_wanted := v_given_up;
  end loop;
end
$$;

-- The pg_cron wake-up: calls the worker only when a job is due or a lease has expired.
create or replace function private.wake_worker_if_due()
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (
    select 1 from public.jobs j
    where j.finished_at is null and j.run_after <= now() and j.cancelled_at is null
      and (j.status = 'pending' or j.locked_until < now())
  ) then
    return private.wake_worker('cron');
  end if;
  return null;
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
