-- Generated images and the worker's extras: the private job-images bucket and its owner-read policy,
-- the orphan query the storage sweep uses, the hourly sweep schedule, fail_job's Retry-After
-- overload, the batch completion and the claim order (due jobs oldest first, an expired lease in its place).
begin;
select plan(22);

\ir helpers.psql
-- A job of the label's user, and a stored image for it.
create function pg_temp.new_job_with_image(label text, job_label text) returns void language plpgsql as $$
declare
  new_id uuid;
begin
  insert into public.jobs (user_id, job_type, input_data, run_after)
  values (pg_temp.id(label), 'image_generation', '{"prompt": "x"}', '1900-01-01')
  returning id into new_id;
  perform pg_temp.remember(job_label, new_id::text);
  insert into storage.objects (bucket_id, name)
  values ('job-images', pg_temp.id(label) || '/' || new_id || '/1.png');
end
$$;
create function pg_temp.image_of(job_label text) returns text language sql stable as $$
  select name from storage.objects where name like '%/' || pg_temp.id(job_label) || '/%'
$$;
grant execute on function pg_temp.image_of(text) to public;

select pg_temp.new_user('owner');
select pg_temp.new_user('stranger');
select pg_temp.new_job_with_image('owner', 'kept');
select pg_temp.new_job_with_image('owner', 'deleted');
insert into storage.objects (bucket_id, name) values ('job-images', 'not-a-job-folder/x.png');

-- -----------------------------------------------------------------------------------------------------
-- The bucket and who reads it
-- -----------------------------------------------------------------------------------------------------

select results_eq(
  $$ select public, file_size_limit from storage.buckets where id = 'job-images' $$,
  $$ values (false, 20971520::bigint) $$,
  'job-images is a private bucket with a size limit'
);

select pg_temp.login('owner');
select is((select count(*)::int from storage.objects where bucket_id = 'job-images'), 2, 'the owner sees their own images only');
select throws_ok(
  $$ insert into storage.objects (bucket_id, name) values ('job-images', pg_temp.id('owner') || '/mine.png') $$,
  '42501', null, 'the owner cannot write the bucket (only the worker does)'
);
select is_empty(
  $$ delete from storage.objects where bucket_id = 'job-images' returning name $$,
  'the owner cannot delete stored images directly'
);

reset role;
select pg_temp.login('stranger');
select is_empty($$ select name from storage.objects where bucket_id = 'job-images' $$, 'a stranger sees none of them');
reset role;
select pg_temp.login_anon();
select is_empty($$ select name from storage.objects where bucket_id = 'job-images' $$, 'anon sees none of them');
reset role;

-- -----------------------------------------------------------------------------------------------------
-- Orphans for the storage sweep
-- -----------------------------------------------------------------------------------------------------

select pg_temp.remember('deleted_image', pg_temp.image_of('deleted'));
delete from public.jobs where id = pg_temp.id('deleted');
set local role service_role;
select ok(
  current_setting('test.deleted_image') in (select private.orphaned_job_images(100000)),
  'an image whose job was deleted is an orphan'
);
select ok(
  pg_temp.image_of('kept') not in (select private.orphaned_job_images(100000)),
  'an image whose job exists is not'
);
select ok(
  'not-a-job-folder/x.png' not in (select private.orphaned_job_images(100000)),
  'a name that is not <user>/<job>/... is never an orphan'
);
select is((select count(*)::int from private.orphaned_job_images(0)), 0, 'the limit bounds a sweep');
reset role;
select ok(
  not has_function_privilege('authenticated', 'private.orphaned_job_images(integer)', 'execute')
  and not has_function_privilege('anon', 'private.orphaned_job_images(integer)', 'execute')
  and has_function_privilege('service_role', 'private.orphaned_job_images(integer)', 'execute'),
  'only service_role may list orphans'
);
select results_eq(
  $$ select schedule, command ~ 'wake_worker\(''storage_sweep''\)', active from cron.job where jobname = 'pocketllm-sweep-job-images' $$,
  $$ values ('17 * * * *'::text, true, true) $$,
  'pg_cron wakes the worker for the sweep every hour, after the purge'
);

-- -----------------------------------------------------------------------------------------------------
-- fail_job with the provider's Retry-After
-- -----------------------------------------------------------------------------------------------------

set local role service_role;
select pg_temp.remember('claimed', (select lease_token::text from private.claim_jobs(1, 60) where id = pg_temp.id('kept')));
select is(
  private.fail_job(pg_temp.id('kept'), current_setting('test.claimed')::uuid, 'answered 429', false, 600),
  'pending',
  'a rate-limited attempt goes back to the queue'
);
select results_eq(
  $$ select run_after, lease_token from public.jobs where id = pg_temp.id('kept') $$,
  $$ values (now() + interval '600 seconds', null::uuid) $$,
  'it waits for the Retry-After when that is longer than the backoff'
);
select is(
  private.fail_job(pg_temp.id('kept'), current_setting('test.claimed')::uuid, 'late', false, 600),
  null,
  'a stale lease token changes nothing'
);
reset role;
select ok(
  not has_function_privilege('authenticated', 'private.fail_job(uuid,uuid,text,boolean,integer)', 'execute')
  and has_function_privilege('service_role', 'private.fail_job(uuid,uuid,text,boolean,integer)', 'execute'),
  'only service_role may fail jobs'
);

-- -----------------------------------------------------------------------------------------------------
-- complete_jobs: a batch in one statement, fenced like complete_job
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.new_job_with_image('owner', 'first');
select pg_temp.new_job_with_image('owner', 'second');
update public.jobs set run_after = '1800-01-01' where id in (pg_temp.id('first'), pg_temp.id('second'));
set local role service_role;
create temp table claimed on commit drop as select id, lease_token from private.claim_jobs(2, 60);
select set_eq(
  $$ select id from claimed $$,
  array[pg_temp.id('first'), pg_temp.id('second')],
  'the oldest due jobs are claimed'
);
select results_eq(
  $$ select job_id, completed from private.complete_jobs((
       select jsonb_agg(jsonb_build_object('id', id, 'lease_token',
                case when id = pg_temp.id('first') then lease_token else gen_random_uuid() end,
                'output', jsonb_build_object('images', jsonb_build_array())))
       from claimed)) order by job_id = pg_temp.id('first') desc $$,
  $$ values (pg_temp.id('first'), true), (pg_temp.id('second'), false) $$,
  'the holder''s job is completed; a wrong token completes nothing'
);
select results_eq(
  $$ select id, status, output_data from public.jobs where id in (pg_temp.id('first'), pg_temp.id('second')) order by status $$,
  $$ values (pg_temp.id('first'), 'completed'::text, '{"images": []}'::jsonb), (pg_temp.id('second'), 'processing'::text, null::jsonb) $$,
  'only the fenced-in job changed'
);
select results_eq(
  $$ select completed from private.complete_jobs((
       select jsonb_agg(jsonb_build_object('id', id, 'lease_token', lease_token)) from claimed where id = pg_temp.id('first'))) $$,
  $$ values (true) $$,
  'completing again with the same token is an idempotent success'
);

-- -----------------------------------------------------------------------------------------------------
-- claim_jobs: an expired lease is taken back in its place in the due order
-- -----------------------------------------------------------------------------------------------------

reset role;
update public.jobs set locked_until = now() - interval '1 second' where id = pg_temp.id('second');
set local role service_role;
select results_eq(
  $$ select id, attempts from private.claim_jobs(1, 60) $$,
  $$ values (pg_temp.id('second'), 2) $$,
  'a job whose lease expired is taken back (the oldest due), as its next attempt'
);
reset role;
select ok(
  not has_function_privilege('authenticated', 'private.complete_jobs(jsonb)', 'execute')
  and has_function_privilege('service_role', 'private.complete_jobs(jsonb)', 'execute'),
  'only service_role may complete jobs'
);

select * from finish();
rollback;
