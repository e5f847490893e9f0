-- =====================================================================================================
-- PocketLLM: jobs and the queue
-- Jobs are rows; the queue is SQL. Users insert and read their jobs; the worker (service_role) claims
-- due jobs under a lease (FOR UPDATE SKIP LOCKED), then completes, retries (exponential backoff up to
-- max_attempts) or fails them, fenced by the lease token. A job whose lease expired (worker died) is
-- claimed again. Cancelled jobs are never claimed. An insert wakes the worker through pg_net.
--
-- Status as the API shows it:   pending    waiting to run (new, or a retry waiting for run_after)
--                               processing leased by a worker (lease_token, locked_until)
--                               completed  output_data holds the result
--                               failed     permanently failed, out of attempts, or cancelled
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

-- Job (API.md "Jobs") plus the queue's bookkeeping.
create table if not exists public.jobs (
  -- ID
  id uuid primary key default gen_random_uuid(),

  -- RELATIONSHIPS
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,

  -- REQUIRED
  job_type text not null,
  status text not null default 'pending',
  input_data jsonb not null default '{}'::jsonb,
  metadata jsonb not null default '{}'::jsonb,

  -- RESULT
  output_data jsonb,
  error_log text,

  -- QUEUE: attempts are counted when a job is claimed
  attempts integer not null default 0,
  max_attempts integer not null default 3,
  run_after timestamptz not null default now(),
  lease_token uuid,
  locked_until timestamptz,
  cancelled_at timestamptz,
  started_at timestamptz,
  finished_at timestamptz,

  -- METADATA
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint jobs_job_type_supported check (job_type in ('image_generation')),
  constraint jobs_status_valid check (status in ('pending', 'processing', 'completed', 'failed')),
  constraint jobs_input_data_is_object check (jsonb_typeof(input_data) = 'object'),
  constraint jobs_metadata_is_object check (jsonb_typeof(metadata) = 'object'),
  constraint jobs_output_data_is_object check (jsonb_typeof(output_data) = 'object'),
  constraint jobs_error_log_length check (char_length(error_log) <= 10000),
  constraint jobs_attempts_range check (attempts between 0 and max_attempts),
  constraint jobs_max_attempts_range check (max_attempts between 1 and 25),
  constraint jobs_processing_has_lease check (
    status <> 'processing' or (lease_token is not null and locked_until is not null)
  )
);

comment on table public.jobs is 'Background jobs (API Job) and their queue state; claimed by the worker through private.claim_jobs().';
comment on column public.jobs.lease_token is 'Fencing token of the current claim: only its holder may complete, fail or extend the job.';
comment on column public.jobs.locked_until is 'Lease expiry: a processing job past it is claimed again (or failed when out of attempts).';

-- -----------------------------------------------------------------------------------------------------
-- INDEXES
-- -----------------------------------------------------------------------------------------------------

-- GET /v1/jobs: a user's jobs, newest first (user_id is also the foreign key).
create index if not exists jobs_user_id_created_at_idx on public.jobs (user_id, created_at desc, id desc);

-- Claiming: due pending jobs in order, and leases that have expired.
create index if not exists jobs_pending_run_after_idx
  on public.jobs (run_after, created_at, id)
  where status = 'pending' and cancelled_at is null;
create index if not exists jobs_processing_locked_until_idx
  on public.jobs (locked_until)
  where status = 'processing';

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.jobs enable row level security;

drop policy if exists "Users can view their own jobs" on public.jobs;
create policy "Users can view their own jobs" on public.jobs
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "Users can create their own jobs" on public.jobs;
create policy "Users can create their own jobs" on public.jobs
  for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can delete their own jobs" on public.jobs;
create policy "Users can delete their own jobs" on public.jobs
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- No update policy (and no UPDATE grant): a job's status and results are written by the worker only;
-- cancelling and retrying go through private.cancel_job() / private.retry_job().

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- How long a failed attempt waits before the next: 30 s, 60 s, 2 min, 4 min ... capped at 1 hour.
create or replace function private.job_retry_delay(p_attempts integer)
returns interval
language sql
immutable
set search_path = ''
as $$
  select least(interval '1 hour', interval '30 seconds' * power(2, least(greatest(p_attempts, 1) - 1, 16)))
$$;

-- POSTs to the worker edge function (<project_url>/functions/v1/worker) with the service key, both read
-- from Vault (secrets `project_url` and `service_role_key`) at call time. Returns the pg_net request
-- id, or NULL when a secret is missing or the request could not be queued: waking is best effort and
-- never fails the caller (pg_cron wakes the worker every minute anyway).
create or replace function private.wake_worker(p_reason text default 'jobs')
returns bigint
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_url text := private.vault_secret('project_url');
  v_key text := private.vault_secret('service_role_key');
begin
  if v_url is null or v_key is null then
    return null;
  end if;
  return net.http_post(
    url := rtrim(v_url, '/') || '/functions/v1/worker',
    body := jsonb_build_object('reason', p_reason, 'sent_at', now()),
    headers := jsonb_build_object(
      'Content-Type', 'application/json',
      'Authorization', 'Bearer ' || v_key,
      'apikey', v_key
    ),
    timeout_milliseconds := 5000
  );
exception when others then
  raise warning 'could not wake the worker: %', sqlerrm;
  return null;
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
    where j.status = 'pending' and j.cancelled_at is null and j.run_after <= now()
  ) or exists (
    select 1 from public.jobs j
    where j.status = 'processing' and j.locked_until < now()
  ) then
    return private.wake_worker('cron');
  end if;
  return null;
end
$$;

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

-- Extends the lease of a job still held with this token (a heartbeat for long jobs).
create or replace function private.extend_job_lease(p_job_id uuid, p_lease_token uuid, p_lease_seconds integer default 120)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.jobs
  set locked_until = now() + make_interval(secs => p_lease_seconds)
  where id = p_job_id and lease_token = p_lease_token and status = 'processing';
  return found;
end
$$;

-- Marks a job completed with its output, only for the holder of the current lease token. Idempotent:
-- completing again with the same token returns true and changes nothing. Returns false for a stale
-- token (the job was reclaimed, cancelled or retried) or an unknown job.
create or replace function private.complete_job(p_job_id uuid, p_lease_token uuid, p_output jsonb default '{}'::jsonb)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.jobs
  set status = 'completed',
      output_data = coalesce(p_output, '{}'::jsonb),
      error_log = null,
      locked_until = null,
      finished_at = now()
  where id = p_job_id and lease_token = p_lease_token and status = 'processing';
  if found then
    return true;
  end if;
  return exists (
    select 1 from public.jobs
    where id = p_job_id and lease_token = p_lease_token and status = 'completed'
  );
end
$$;

-- Records a failed attempt, for the holder of the current lease token. While attempts remain (and the
-- failure is not permanent) the job goes back to 'pending' with run_after = now() + backoff; otherwise
-- it ends 'failed'. error_log keeps the latest error. Returns the new status ('pending' or 'failed'),
-- 'failed' again for a repeated final failure, or NULL for a stale token.
create or replace function private.fail_job(
  p_job_id uuid,
  p_lease_token uuid,
  p_error text,
  p_permanent boolean default false
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_attempts integer;
  v_max_attempts integer;
  v_error text := left(coalesce(nullif(btrim(p_error), ''), 'The job failed.'), 10000);
begin
  select j.attempts, j.max_attempts into v_attempts, v_max_attempts
  from public.jobs j
  where j.id = p_job_id and j.lease_token = p_lease_token and j.status = 'processing'
  for update;
  if not found then
    if exists (select 1 from public.jobs where id = p_job_id and lease_token = p_lease_token and status = 'failed') then
      return 'failed';
    end if;
    return null;
  end if;

  if coalesce(p_permanent, false) or v_attempts >= v_max_attempts then
    update public.jobs
    set status = 'failed', error_log = v_error, locked_until = null, finished_at = now()
    where id = p_job_id;
    return 'failed';
  end if;

  update public.jobs
  set status = 'pending',
      error_log = v_error,
      run_after = now() + private.job_retry_delay(v_attempts),
      lease_token = null,
      locked_until = null
  where id = p_job_id;
  return 'pending';
end
$$;

-- Cancels a pending or processing job: it ends 'failed' with cancelled_at set and its lease revoked,
-- so it is never claimed again and a worker still running it cannot complete it. With p_user_id, only
-- that user's job. Returns false when the job is unknown or already finished.
create or replace function private.cancel_job(p_job_id uuid, p_user_id uuid default null)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.jobs
  set status = 'failed',
      cancelled_at = now(),
      error_log = 'Cancelled.',
      lease_token = null,
      locked_until = null,
      finished_at = now()
  where id = p_job_id
    and (p_user_id is null or user_id = p_user_id)
    and status in ('pending', 'processing');
  return found;
end
$$;

-- Puts a failed job back in the queue from scratch (POST /v1/jobs/{id}/retry) and wakes the worker.
-- With p_user_id, only that user's job. Returns false unless the job was 'failed'.
create or replace function private.retry_job(p_job_id uuid, p_user_id uuid default null)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.jobs
  set status = 'pending',
      attempts = 0,
      run_after = now(),
      output_data = null,
      error_log = null,
      lease_token = null,
      locked_until = null,
      cancelled_at = null,
      started_at = null,
      finished_at = null
  where id = p_job_id
    and (p_user_id is null or user_id = p_user_id)
    and status = 'failed';
  if not found then
    return false;
  end if;
  perform private.wake_worker('retry');
  return true;
end
$$;

-- BEFORE INSERT on jobs: the API roles create only fresh jobs. The queue columns must keep their
-- defaults; run_after and max_attempts are the server's to choose.
create or replace function private.jobs_protect_insert()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if current_user in ('anon', 'authenticated') then
    if new.status <> 'pending' or new.attempts <> 0 or new.output_data is not null or new.error_log is not null
       or new.lease_token is not null or new.locked_until is not null or new.cancelled_at is not null
       or new.started_at is not null or new.finished_at is not null then
      raise exception 'permission denied: the status and queue columns of jobs are set by the server'
        using errcode = '42501';
    end if;
    new.run_after := now();
    new.max_attempts := 3;
  end if;
  return new;
end
$$;

-- AFTER INSERT on jobs (per statement): one wake-up call for the new jobs. Never fails the insert.
create or replace function private.jobs_wake_worker()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if exists (select 1 from inserted_jobs) then
    perform private.wake_worker('job_inserted');
  end if;
  return null;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

create or replace trigger jobs_set_updated_at
  before update on public.jobs
  for each row execute function private.set_updated_at();

create or replace trigger jobs_protect_insert
  before insert on public.jobs
  for each row execute function private.jobs_protect_insert();

create or replace trigger jobs_wake_worker
  after insert on public.jobs
  referencing new table as inserted_jobs
  for each statement execute function private.jobs_wake_worker();

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.jobs from public, anon, authenticated, service_role;
grant select, insert, delete on table public.jobs to authenticated;
grant select, insert, update, delete on table public.jobs to service_role;

-- The queue API: service_role (the worker and the API's service paths) only.
revoke execute on function private.claim_jobs(integer, integer) from public, anon, authenticated;
revoke execute on function private.extend_job_lease(uuid, uuid, integer) from public, anon, authenticated;
revoke execute on function private.complete_job(uuid, uuid, jsonb) from public, anon, authenticated;
revoke execute on function private.fail_job(uuid, uuid, text, boolean) from public, anon, authenticated;
revoke execute on function private.cancel_job(uuid, uuid) from public, anon, authenticated;
revoke execute on function private.retry_job(uuid, uuid) from public, anon, authenticated;
revoke execute on function private.wake_worker(text) from public, anon, authenticated;
revoke execute on function private.wake_worker_if_due() from public, anon, authenticated;
revoke execute on function private.job_retry_delay(integer) from public, anon, authenticated;
grant execute on function private.claim_jobs(integer, integer) to service_role;
grant execute on function private.extend_job_lease(uuid, uuid, integer) to service_role;
grant execute on function private.complete_job(uuid, uuid, jsonb) to service_role;
grant execute on function private.fail_job(uuid, uuid, text, boolean) to service_role;
grant execute on function private.cancel_job(uuid, uuid) to service_role;
grant execute on function private.retry_job(uuid, uuid) to service_role;
grant execute on function private.wake_worker(text) to service_role;
grant execute on function private.wake_worker_if_due() to service_role;
grant execute on function private.job_retry_delay(integer) to service_role;

revoke execute on function private.jobs_protect_insert() from public, anon, authenticated, service_role;
revoke execute on function private.jobs_wake_worker() from public, anon, authenticated, service_role;
