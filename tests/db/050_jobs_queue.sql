-- Jobs and the queue: users create and read their own jobs but never drive their status; the
-- worker's claim/complete/fail/cancel/retry semantics (leases, fencing tokens, backoff, max attempts);
-- and the insert trigger that wakes the worker through pg_net with the URL and key from Vault.
begin;
select plan(60);

\ir helpers.psql

-- One job completed through the worker's set-based private.complete_jobs().
create function pg_temp.complete(job_id uuid, lease_token uuid, output jsonb default '{}') returns boolean
language sql as $$
  select c.completed
  from private.complete_jobs(jsonb_build_array(jsonb_build_object('id', job_id, 'lease_token', lease_token, 'output', output))) c
$$;
grant execute on function pg_temp.complete(uuid, uuid, jsonb) to public;
create function pg_temp.set_secret(secret_name text, value text) returns void language plpgsql as $$
begin
  if exists (select 1 from vault.secrets where name = secret_name) then
    perform vault.update_secret((select id from vault.secrets where name = secret_name), value);
  else
    perform vault.create_secret(value, secret_name);
  end if;
end
$$;
-- A job of the owner's, inserted as postgres with the queue state a test needs.
create function pg_temp.new_job(label text, run_after timestamptz, status text default 'pending',
  attempts integer default 0, locked_until timestamptz default null, cancelled_at timestamptz default null)
returns void language plpgsql as $$
declare
  new_id uuid;
begin
  insert into public.jobs (user_id, job_type, input_data, status, attempts, run_after, locked_until, lease_token, cancelled_at)
  values (pg_temp.id('owner'), 'image_generation', jsonb_build_object('prompt', label), status, attempts, run_after,
          locked_until, case when status = 'processing' then gen_random_uuid() end, cancelled_at)
  returning id into new_id;
  perform pg_temp.remember(label, new_id::text);
end
$$;
-- The lease token a job holds now.
create function pg_temp.token(label text) returns uuid language sql stable as $$
  select lease_token from public.jobs where id = pg_temp.id(label)
$$;
grant execute on function pg_temp.token(text) to public;

select pg_temp.new_user('owner');
select pg_temp.new_user('stranger');

-- Jobs due long ago come first in claim order, so these tests claim their own jobs even when other
-- suites have left due jobs in the same database.
select pg_temp.new_job('A', '1900-01-01');
select pg_temp.new_job('B', '1900-01-02');
select pg_temp.new_job('C', '1900-01-03');
select pg_temp.new_job('D', '1899-12-30', 'processing', 3, now() - interval '1 minute');
select pg_temp.new_job('E', '1900-01-05');
select pg_temp.new_job('G', '1900-01-06');
select pg_temp.new_job('H', '1900-01-07');
select pg_temp.new_job('F', now() + interval '1 day');
select pg_temp.new_job('X', '1899-12-31', cancelled_at => now());

-- -----------------------------------------------------------------------------------------------------
-- Owner
-- -----------------------------------------------------------------------------------------------------

select pg_temp.login('owner');
select lives_ok(
  $$ insert into public.jobs (user_id, job_type, input_data, max_attempts)
     values (pg_temp.id('owner'), 'image_generation', '{"prompt": "a cat"}', 25) $$,
  'owner can create a job'
);
select results_eq(
  $$ select status, attempts, max_attempts, run_after, output_data, error_log
     from public.jobs where user_id = pg_temp.id('owner') and input_data ->> 'prompt' = 'a cat' $$,
  $$ values ('pending'::text, 0, 3, now(), null::jsonb, null::text) $$,
  'a new job is pending, due now, with the server''s max_attempts'
);
select throws_ok(
  $$ insert into public.jobs (user_id, job_type, status, output_data)
     values (pg_temp.id('owner'), 'image_generation', 'completed', '{"images": []}') $$,
  '42501', null, 'owner cannot create a job that is already completed'
);
select throws_ok(
  $$ update public.jobs set status = 'completed' where id = pg_temp.id('A') $$,
  '42501', null, 'owner cannot change a job''s status'
);
select throws_ok(
  $$ insert into public.jobs (user_id, job_type) values (pg_temp.id('owner'), 'video_generation') $$,
  '23514', null, 'an unsupported job_type is refused'
);
select is(
  (select count(*)::int from public.jobs where user_id = pg_temp.id('owner')),
  10,
  'owner sees their jobs'
);

-- -----------------------------------------------------------------------------------------------------
-- Stranger and anonymous
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.login('stranger');
select is_empty($$ select id from public.jobs where user_id = pg_temp.id('owner') $$, 'a stranger cannot see the owner''s jobs');
select is_empty(
  $$ delete from public.jobs where user_id = pg_temp.id('owner') returning id $$, 'a stranger''s delete of the owner''s jobs deletes nothing');
select throws_ok(
  $$ insert into public.jobs (user_id, job_type) values (pg_temp.id('owner'), 'image_generation') $$,
  '42501', null, 'a stranger cannot create a job in the owner''s name'
);
select throws_ok(
  $$ update public.jobs set user_id = pg_temp.id('stranger') where id = pg_temp.id('A') $$,
  '42501', null, 'a stranger cannot take over the owner''s job'
);
select throws_ok(
  $$ select * from private.claim_jobs(1, 60) $$, '42501', null, 'authenticated cannot claim jobs');

reset role;
select pg_temp.login_anon();
select throws_ok($$ select * from public.jobs $$, '42501', null, 'anon cannot read jobs');

reset role;
select is_empty(
  $$ select f from unnest(array[
       'private.claim_jobs(integer,integer)', 'private.complete_jobs(jsonb)',
       'private.fail_job(uuid,uuid,text,boolean)', 'private.extend_job_lease(uuid,uuid,integer)',
       'private.cancel_job(uuid,uuid)', 'private.retry_job(uuid,uuid)', 'private.wake_worker(text)',
       'private.wake_worker_if_due()']) f
     where has_function_privilege('authenticated', f, 'execute') or has_function_privilege('anon', f, 'execute')
        or not has_function_privilege('service_role', f, 'execute') $$,
  'the queue functions are executable by service_role and by neither anon nor authenticated'
);

-- -----------------------------------------------------------------------------------------------------
-- Service role: claiming
-- -----------------------------------------------------------------------------------------------------

set local role service_role;
select throws_ok($$ select * from private.claim_jobs(0) $$, '22023', null, 'a claim needs a positive limit');

select results_eq(
  $$ select id, status, attempts, locked_until from private.claim_jobs(2, 120) order by run_after $$,
  $$ values (pg_temp.id('A'), 'processing'::text, 1, now() + interval '120 seconds'),
            (pg_temp.id('B'), 'processing'::text, 1, now() + interval '120 seconds') $$,
  'claim takes the oldest due jobs (skipping a cancelled one), counts the attempt and sets the lease'
);
select ok(
  pg_temp.token('A') is not null and pg_temp.token('B') is not null and pg_temp.token('A') <> pg_temp.token('B'),
  'each claimed job gets its own lease token'
);
select results_eq(
  $$ select status, error_log ~ 'lease expired' from public.jobs where id = pg_temp.id('D') $$,
  $$ values ('failed'::text, true) $$,
  'a job whose lease expired on its last attempt is failed, not claimed (and the claim still takes two)'
);
select is(
  (select count(*)::int from public.jobs where id = pg_temp.id('D') and finished_at = now() and lease_token is not null),
  1,
  'the job given up is finished and keeps its stale token'
);
select results_eq(
  $$ select id from private.claim_jobs(1, 120) $$,
  $$ values (pg_temp.id('C')) $$,
  'jobs under a live lease are not claimed again'
);

-- A claim changes no indexed column, so with room on the page it is a heap-only (HOT) update: it
-- writes no index entry (bench/README.md "Job queue drain").
reset role;
select pg_temp.new_job('hot', '1899-12-01');
select pg_temp.remember('hot_updates', pg_stat_get_xact_tuples_hot_updated('public.jobs'::regclass)::text);
set local role service_role;
select results_eq($$ select id from private.claim_jobs(1, 120) $$, $$ values (pg_temp.id('hot')) $$, 'the oldest due job is claimed');
reset role;
select is(
  pg_stat_get_xact_tuples_hot_updated('public.jobs'::regclass) - current_setting('test.hot_updates')::bigint,
  1::bigint,
  'the claim was a HOT update (no index entry written)'
);
set local role service_role;

-- -----------------------------------------------------------------------------------------------------
-- Completing
-- -----------------------------------------------------------------------------------------------------

select pg_temp.remember('token_a', pg_temp.token('A')::text);
select is(pg_temp.complete(pg_temp.id('A'), gen_random_uuid(), '{"images": []}'), false, 'a wrong lease token cannot complete');
select is(
  pg_temp.complete(pg_temp.id('A'), pg_temp.id('token_a'), '{"images": [{"url": "https://x/1.png"}]}'),
  true,
  'the lease holder completes the job'
);
select is(
  pg_temp.complete(pg_temp.id('A'), pg_temp.id('token_a'), '{"images": []}'),
  true,
  'completing again with the same token is a no-op success (idempotent)'
);
select results_eq(
  $$ select status, output_data, locked_until, finished_at from public.jobs where id = pg_temp.id('A') $$,
  $$ values ('completed'::text, '{"images": [{"url": "https://x/1.png"}]}'::jsonb, null::timestamptz, now()) $$,
  'a completed job keeps the first result'
);

-- -----------------------------------------------------------------------------------------------------
-- A lease that expires is reclaimed; the stale token is fenced off
-- -----------------------------------------------------------------------------------------------------

select pg_temp.remember('token_b1', pg_temp.token('B')::text);
reset role;
update public.jobs set locked_until = now() - interval '1 second' where id = pg_temp.id('B');
set local role service_role;
select results_eq(
  $$ select id, attempts from private.claim_jobs(1, 120) $$,
  $$ values (pg_temp.id('B'), 2) $$,
  'a job whose lease expired is claimed again, as its next attempt'
);
select pg_temp.remember('token_b2', pg_temp.token('B')::text);
select isnt(pg_temp.id('token_b2'), pg_temp.id('token_b1'), 'the new claim has a new lease token');
select is(pg_temp.complete(pg_temp.id('B'), pg_temp.id('token_b1'), '{}'), false, 'the stale lease token cannot complete');
select is(private.fail_job(pg_temp.id('B'), pg_temp.id('token_b1'), 'late'), null, 'the stale lease token cannot fail the job');
select is(private.extend_job_lease(pg_temp.id('B'), pg_temp.id('token_b1'), 300), false, 'the stale lease token cannot extend the lease');
select is(private.extend_job_lease(pg_temp.id('B'), pg_temp.id('token_b2'), 300), true, 'the holder extends the lease');
select is(
  (select locked_until from public.jobs where id = pg_temp.id('B')), now() + interval '300 seconds', 'the lease now ends later');

-- -----------------------------------------------------------------------------------------------------
-- Retries with backoff, max attempts, permanent failures
-- -----------------------------------------------------------------------------------------------------

select is(private.fail_job(pg_temp.id('B'), pg_temp.id('token_b2'), 'provider said 503'), 'pending', 'a failed attempt with attempts left is retried');
select results_eq(
  $$ select status, attempts, run_after, lease_token, locked_until, error_log from public.jobs where id = pg_temp.id('B') $$,
  $$ values ('pending'::text, 2, now() + interval '60 seconds', null::uuid, null::timestamptz, 'provider said 503'::text) $$,
  'the retry waits the backoff for attempt 2 (60 s), without a lease, keeping the error'
);
select results_eq(
  $$ select private.job_retry_delay(n) from unnest(array[1, 2, 3, 20]) n $$,
  $$ values (interval '30 seconds'), (interval '60 seconds'), (interval '120 seconds'), (interval '1 hour') $$,
  'backoff doubles from 30 s and is capped at an hour'
);
select results_eq(
  $$ select id from private.claim_jobs(1, 120) $$,
  $$ values (pg_temp.id('E')) $$,
  'a retry waiting for its run_after is passed over: the next due job is claimed'
);
reset role;
update public.jobs set run_after = '1900-01-02' where id = pg_temp.id('B');
set local role service_role;
select results_eq(
  $$ select id, attempts from private.claim_jobs(1, 120) $$,
  $$ values (pg_temp.id('B'), 3) $$,
  'once due, the retry is claimed as attempt 3'
);
select is(private.fail_job(pg_temp.id('B'), pg_temp.token('B'), 'provider said 503 again'), 'failed', 'the last attempt''s failure is final');
select results_eq(
  $$ select status, attempts, error_log from public.jobs where id = pg_temp.id('B') $$,
  $$ values ('failed'::text, 3, 'provider said 503 again'::text) $$,
  'the job ends failed with a readable error_log'
);
select is(private.fail_job(pg_temp.id('C'), pg_temp.token('C'), 'invalid API key', true), 'failed', 'a permanent failure ends the job at once');
select is(private.fail_job(pg_temp.id('C'), pg_temp.token('C'), 'invalid API key', true), 'failed', 'failing it again says the same');
select is((select attempts from public.jobs where id = pg_temp.id('C')), 1, 'a permanent failure does not use up the attempts');

-- -----------------------------------------------------------------------------------------------------
-- Cancelling and retrying on request
-- -----------------------------------------------------------------------------------------------------

select is(private.cancel_job(pg_temp.id('G'), pg_temp.id('stranger')), false, 'a job cannot be cancelled on behalf of another user');
select is(private.cancel_job(pg_temp.id('G'), pg_temp.id('owner')), true, 'a pending job is cancelled');
select results_eq(
  $$ select status, cancelled_at is not null from public.jobs where id = pg_temp.id('G') $$,
  $$ values ('failed'::text, true) $$,
  'a cancelled job shows as failed, with cancelled_at'
);
select results_eq(
  $$ select id from private.claim_jobs(1, 120) $$,
  $$ values (pg_temp.id('H')) $$,
  'cancelled jobs are skipped by claims'
);
select pg_temp.remember('token_e', pg_temp.token('E')::text);
select is(private.cancel_job(pg_temp.id('E')), true, 'a running job is cancelled');
select is(pg_temp.complete(pg_temp.id('E'), pg_temp.id('token_e'), '{}'), false, 'the worker running a cancelled job cannot complete it');
select is(private.cancel_job(pg_temp.id('A')), false, 'a completed job cannot be cancelled');

select is(private.retry_job(pg_temp.id('A')), false, 'only a failed job can be retried');
select is(private.retry_job(pg_temp.id('C'), pg_temp.id('stranger')), false, 'a job cannot be retried on behalf of another user');
select is(private.retry_job(pg_temp.id('C'), pg_temp.id('owner')), true, 'a failed job is retried');
select results_eq(
  $$ select status, attempts, error_log, run_after from public.jobs where id = pg_temp.id('C') $$,
  $$ values ('pending'::text, 0, null::text, now()) $$,
  'a retried job starts again from scratch'
);
select results_eq(
  $$ select id, status, attempts from public.jobs where id in (pg_temp.id('F'), pg_temp.id('X')) order by run_after $$,
  $$ values (pg_temp.id('X'), 'pending'::text, 0), (pg_temp.id('F'), 'pending'::text, 0) $$,
  'a cancelled job and a job not yet due were never claimed'
);

-- -----------------------------------------------------------------------------------------------------
-- Waking the worker through pg_net
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.remember('marker', 'http://127.0.0.1:9/pgtap-' || gen_random_uuid());
select pg_temp.set_secret('project_url', current_setting('test.marker') || '/');
select pg_temp.set_secret('service_role_key', 'pgtap-service-key-' || current_setting('test.marker'));

select pg_temp.login('owner');
insert into public.jobs (user_id, job_type, input_data) values (pg_temp.id('owner'), 'image_generation', '{"prompt": "wake"}');
reset role;
select results_eq(
  $$ select method::text, headers ->> 'Authorization', headers ->> 'apikey', headers ->> 'Content-Type'
     from net.http_request_queue where url = current_setting('test.marker') || '/functions/v1/worker' $$,
  $$ values ('POST', 'Bearer pgtap-service-key-' || current_setting('test.marker'),
             'pgtap-service-key-' || current_setting('test.marker'), 'application/json') $$,
  'a job insert queues one POST to <project_url>/functions/v1/worker with the service key from Vault'
);
set local role service_role;
insert into public.jobs (user_id, job_type) values (pg_temp.id('owner'), 'image_generation'), (pg_temp.id('owner'), 'image_generation');
reset role;
select is(
  (select count(*)::int from net.http_request_queue where url = current_setting('test.marker') || '/functions/v1/worker'),
  2,
  'one wake-up per insert statement, not per row'
);
select isnt(private.wake_worker_if_due(), null, 'the cron wake-up calls the worker when jobs are due');

delete from vault.secrets where name in ('project_url', 'service_role_key');
select pg_temp.login('owner');
select lives_ok(
  $$ insert into public.jobs (user_id, job_type) values (pg_temp.id('owner'), 'image_generation') $$,
  'without the Vault secrets a job insert still succeeds'
);
reset role;
select is(
  (select count(*)::int from net.http_request_queue where url like current_setting('test.marker') || '%'),
  3,
  'and queues no request'
);
select is(private.wake_worker('test'), null, 'wake_worker returns NULL when the secrets are missing');

select * from finish();
rollback;
