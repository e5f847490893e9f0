-- =====================================================================================================
-- PocketLLM: rate limits and sign-in brute-force protection, kept in Postgres (edge function isolates
-- share nothing). README "Rate limits" says what each limit counts and how to configure it.
--
-- - private.rate_limit_counters: fixed-window counters keyed by (limit name, subject): a user id or a
--   client address. private.take_rate_limit counts one hit, or refuses it with SQLSTATE RL429
--   (detail: seconds until the window frees; hint: "<max>/<window seconds>"), which rolls the
--   refused request's transaction back: a refused request changes nothing.
-- - limits.take_for_caller: the same, for the user whose claims the transaction carries (the API's
--   requests act as `authenticated`, which may not use `private`): the only object of the `limits`
--   schema, which the Data API does not expose.
-- - jobs_rate_limit: the image-job limit, on insert into public.jobs by anon/authenticated, so that
--   it holds for a direct insert through the Data API too. Its rule is private.rate_limit_rules; the
--   API passes its own configured rule as the transaction-local setting pocketllm.rate_limit.image_jobs.
-- - private.sign_in_failures: failed sign-ins per (email hash, client address), and per email across
--   all addresses (address '*'), for the lockout checked before Auth is called.
-- Both counter tables are unlogged (lost on a crash restart, which only forgets recent counts) and
-- pruned every ten minutes by pg_cron.
-- =====================================================================================================

create schema if not exists limits;
comment on schema limits is 'PocketLLM: the rate-limit entry the API calls as the signed-in user; not exposed to the Data API.';
revoke all on schema limits from public;
grant usage on schema limits to authenticated, service_role;

-- -----------------------------------------------------------------------------------------------------
-- TABLES
-- -----------------------------------------------------------------------------------------------------

create unlogged table if not exists private.rate_limit_counters (
  name text not null,
  subject text not null,
  window_started_at timestamptz not null,
  window_seconds integer not null check (window_seconds > 0),
  hits integer not null check (hits > 0),
  primary key (name, subject)
);
comment on table private.rate_limit_counters is
  'Fixed-window request counters per (limit name, user id or client address); pruned by pg_cron.';

create table if not exists private.rate_limit_rules (
  name text primary key,
  max_hits integer not null check (max_hits > 0),
  window_seconds integer not null check (window_seconds > 0)
);
comment on table private.rate_limit_rules is
  'Limits the database enforces itself (on direct Data API inserts): change them with an UPDATE.';
insert into private.rate_limit_rules (name, max_hits, window_seconds)
values ('image_jobs', 30, 3600)
on conflict (name) do nothing;

create unlogged table if not exists private.sign_in_failures (
  email_hash bytea not null,
  -- The client address, or '*' for the count over all addresses.
  address text not null,
  failures integer not null check (failures >= 0),
  first_failed_at timestamptz not null,
  last_failed_at timestamptz not null,
  primary key (email_hash, address)
);
comment on table private.sign_in_failures is
  'Failed sign-ins per (sha256 of the normalised email, client address) and per email (address *).';

alter table private.rate_limit_counters enable row level security;
alter table private.rate_limit_rules enable row level security;
alter table private.sign_in_failures enable row level security;
revoke all on table private.rate_limit_counters, private.rate_limit_rules, private.sign_in_failures
  from public, anon, authenticated, service_role;

-- -----------------------------------------------------------------------------------------------------
-- COUNTING
-- -----------------------------------------------------------------------------------------------------

-- Counts one hit for (name, subject); over p_max hits in the window, refuses it (RL429), which also
-- undoes the count. Concurrent hits on one key queue on its row, so the count is exact.
create or replace function private.take_rate_limit(p_name text, p_subject text, p_max integer, p_window_seconds integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_now timestamptz := clock_timestamp();
  v_started timestamptz;
  v_window integer;
  v_hits integer;
begin
  insert into private.rate_limit_counters as c (name, subject, window_started_at, window_seconds, hits)
  values (p_name, p_subject, v_now, p_window_seconds, 1)
  on conflict (name, subject) do update
    set window_started_at = case when c.window_started_at + make_interval(secs => c.window_seconds) <= v_now
                                 then v_now else c.window_started_at end,
        window_seconds = case when c.window_started_at + make_interval(secs => c.window_seconds) <= v_now
                              then p_window_seconds else c.window_seconds end,
        hits = case when c.window_started_at + make_interval(secs => c.window_seconds) <= v_now
                    then 1 else c.hits + 1 end
  returning window_started_at, window_seconds, hits into v_started, v_window, v_hits;
  if v_hits > p_max then
    raise exception using
      errcode = 'RL429',
      message = p_name,
      detail = greatest(1, ceil(extract(epoch from v_started + make_interval(secs => v_window) - v_now)))::int::text,
      hint = p_max || '/' || p_window_seconds;
  end if;
  return v_hits;
end
$$;

-- The same for the signed-in user of the transaction (request.jwt.claims): the API's replies.
create or replace function limits.take_for_caller(p_name text, p_max integer, p_window_seconds integer)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_user uuid := auth.uid();
begin
  if v_user is null then
    raise exception 'a signed-in user is required' using errcode = '42501';
  end if;
  return private.take_rate_limit(p_name, v_user::text, p_max, p_window_seconds);
end
$$;

-- BEFORE INSERT on jobs: the image-job limit for the API roles (the API's own inserts included), with
-- the API's configured rule when it passed one, else the database's.
create or replace function private.jobs_rate_limit()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_passed text := nullif(current_setting('pocketllm.rate_limit.image_jobs', true), '');
  v_max integer;
  v_window integer;
begin
  -- current_user is this function's owner here (security definer); the request's role is the setting.
  if coalesce(current_setting('role', true), '') not in ('anon', 'authenticated') then
    return new;
  end if;
  if v_passed ~ '^[0-9]+/[0-9]+$' then
    v_max := split_part(v_passed, '/', 1)::integer;
    v_window := split_part(v_passed, '/', 2)::integer;
  else
    select r.max_hits, r.window_seconds into v_max, v_window from private.rate_limit_rules r where r.name = 'image_jobs';
  end if;
  if v_max is not null then
    perform private.take_rate_limit('image_jobs', coalesce(auth.uid(), new.user_id)::text, v_max, v_window);
  end if;
  return new;
end
$$;

create or replace trigger jobs_rate_limit
  before insert on public.jobs
  for each row execute function private.jobs_rate_limit();

-- -----------------------------------------------------------------------------------------------------
-- SIGN-IN BRUTE-FORCE PROTECTION
-- -----------------------------------------------------------------------------------------------------

create or replace function private.email_hash(p_email text)
returns bytea
language sql
immutable
set search_path = ''
as $$ select pg_catalog.sha256(convert_to(lower(trim(p_email)), 'UTF8')) $$;

-- Before Auth is called: one hit of the address's sign-in limit, then the lockout of (email, address).
-- An address is locked out for this email after p_after failures (p_after is 1 once the email has
-- p_email_after failures from all addresses within the hour), for p_base_seconds doubled per failure
-- over the threshold, at most p_max_seconds, counted from its last attempt. Refused with RL429
-- ('sign_in_lockout'). An attempt let through is counted as a failure now, before Auth answers (so
-- that attempts in flight together cannot pass the threshold): a success clears it. Returns the
-- address's failures for the email, this attempt included.
create or replace function private.check_sign_in(
  p_email text, p_address text, p_max integer, p_window_seconds integer,
  p_after integer, p_base_seconds integer, p_max_seconds integer, p_email_after integer
)
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_now timestamptz := clock_timestamp();
  v_hash bytea := private.email_hash(p_email);
  v_failures integer;
  v_last timestamptz;
  v_all integer;
  v_after integer := p_after;
begin
  perform private.take_rate_limit('sign_in', p_address, p_max, p_window_seconds);
  select failures into v_all from private.sign_in_failures
   where email_hash = v_hash and address = '*' and first_failed_at > v_now - interval '1 hour';
  if coalesce(v_all, 0) >= p_email_after then
    v_after := 1;
  end if;
  -- The row is made (if missing) and locked first: attempts in flight together queue here.
  insert into private.sign_in_failures (email_hash, address, failures, first_failed_at, last_failed_at)
  values (v_hash, p_address, 0, v_now, v_now)
  on conflict (email_hash, address) do nothing;
  select failures, last_failed_at into v_failures, v_last from private.sign_in_failures
   where email_hash = v_hash and address = p_address
   for update;
  v_now := clock_timestamp(); -- after the wait for the lock: attempts ahead of this one are in the past
  if v_last <= v_now - interval '1 day' then
    v_failures := 0;
  end if;
  perform private.refuse_locked_out(v_failures, v_after, p_base_seconds, p_max_seconds, v_last, v_now);
  update private.sign_in_failures
     set failures = v_failures + 1,
         first_failed_at = case when v_failures = 0 then v_now else first_failed_at end,
         last_failed_at = v_now
   where email_hash = v_hash and address = p_address;
  return v_failures + 1;
end
$$;

-- Raises the lockout's RL429 when `p_failures` earlier failures (the last at p_last) still lock an
-- address out; returns p_failures otherwise.
create or replace function private.refuse_locked_out(
  p_failures integer, p_after integer, p_base_seconds integer, p_max_seconds integer,
  p_last timestamptz, p_now timestamptz
)
returns integer
language plpgsql
set search_path = ''
as $$
declare
  v_until timestamptz;
begin
  if p_failures >= p_after then
    v_until := p_last + make_interval(secs => least(p_max_seconds, p_base_seconds * power(2, least(p_failures - p_after, 30))));
    if v_until > p_now then
      raise exception using
        errcode = 'RL429',
        message = 'sign_in_lockout',
        detail = greatest(1, ceil(extract(epoch from v_until - p_now)))::int::text,
        hint = p_after || '/' || p_base_seconds;
    end if;
  end if;
  return p_failures;
end
$$;

-- After Auth refused the password: one more failure of the email over all addresses (the address's
-- own was counted by private.check_sign_in).
create or replace function private.record_sign_in_failure(p_email text)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_now timestamptz := clock_timestamp();
begin
  insert into private.sign_in_failures as f (email_hash, address, failures, first_failed_at, last_failed_at)
  values (private.email_hash(p_email), '*', 1, v_now, v_now)
  on conflict (email_hash, address) do update
    set failures = case when f.first_failed_at <= v_now - interval '1 hour' then 1 else f.failures + 1 end,
        first_failed_at = case when f.first_failed_at <= v_now - interval '1 hour' then v_now else f.first_failed_at end,
        last_failed_at = v_now;
end
$$;

-- After a successful sign-in: that address's failures for the email are forgotten (not the others').
create or replace function private.clear_sign_in_failures(p_email text, p_address text)
returns void
language sql
security definer
set search_path = ''
as $$
  delete from private.sign_in_failures where email_hash = private.email_hash(p_email) and address = p_address
$$;

-- -----------------------------------------------------------------------------------------------------
-- HOUSEKEEPING
-- -----------------------------------------------------------------------------------------------------

create or replace function private.prune_rate_limits()
returns void
language sql
security definer
set search_path = ''
as $$
  delete from private.rate_limit_counters
   where window_started_at + make_interval(secs => window_seconds) < clock_timestamp();
  delete from private.sign_in_failures
   where (address = '*' and first_failed_at < clock_timestamp() - interval '1 hour')
      or last_failed_at < clock_timestamp() - interval '1 day';
$$;

select cron.schedule(
  'pocketllm-prune-rate-limits',
  '*/10 * * * *',
  $$select private.prune_rate_limits()$$
);

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke execute on function private.take_rate_limit(text, text, integer, integer) from public, anon, authenticated;
revoke execute on function private.jobs_rate_limit() from public, anon, authenticated, service_role;
revoke execute on function private.email_hash(text) from public, anon, authenticated, service_role;
revoke execute on function private.check_sign_in(text, text, integer, integer, integer, integer, integer, integer)
  from public, anon, authenticated;
revoke execute on function private.record_sign_in_failure(text) from public, anon, authenticated;
revoke execute on function private.refuse_locked_out(integer, integer, integer, integer, timestamptz, timestamptz)
  from public, anon, authenticated, service_role;
revoke execute on function private.clear_sign_in_failures(text, text) from public, anon, authenticated;
revoke execute on function private.prune_rate_limits() from public, anon, authenticated, service_role;
grant execute on function private.take_rate_limit(text, text, integer, integer) to service_role;
grant execute on function private.check_sign_in(text, text, integer, integer, integer, integer, integer, integer)
  to service_role;
grant execute on function private.record_sign_in_failure(text) to service_role;
grant execute on function private.clear_sign_in_failures(text, text) to service_role;

revoke execute on function limits.take_for_caller(text, integer, integer) from public, anon;
grant execute on function limits.take_for_caller(text, integer, integer) to authenticated, service_role;
