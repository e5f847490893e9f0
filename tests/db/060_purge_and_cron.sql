-- Account purge and pg_cron: the purge deletes only accounts whose scheduled deletion has passed,
-- with all of their rows and Vault secrets; the cron jobs that run it and wake the worker exist.
begin;
select plan(13);

\ir helpers.psql
create function pg_temp.schedule_deletion(label text, scheduled_for timestamptz) returns void language sql as $$
  update public.profiles
  set deletion_status = 'pending', deletion_requested_at = scheduled_for - interval '30 days',
      deletion_scheduled_for = scheduled_for
  where id = pg_temp.id(label)
$$;
-- Gives a user a provider with a stored key, a model on it, a chat using the model with a message,
-- and a job: every path the cascade from auth.users has to take.
create function pg_temp.give_data(label text) returns void language plpgsql as $$
declare
  provider_id uuid;
  model_id uuid;
  chat_id uuid;
begin
  insert into public.providers (user_id, provider) values (pg_temp.id(label), 'openai') returning id into provider_id;
  perform pg_temp.remember(label || '_secret',
    private.store_provider_key(pg_temp.id(label), 'openai', 'sk-purge-test-' || gen_random_uuid())::text);
  insert into public.model_configs (user_id, provider_id, provider, name, model, is_default)
  values (pg_temp.id(label), provider_id, 'openai', 'gpt-4o', 'gpt-4o', true) returning id into model_id;
  insert into public.chats (user_id, model_config_id) values (pg_temp.id(label), model_id) returning id into chat_id;
  insert into public.messages (chat_id, content) values (chat_id, 'hello');
  insert into public.jobs (user_id, job_type) values (pg_temp.id(label), 'image_generation');
end
$$;
-- Everything of a user's that should go with the account.
create function pg_temp.leftovers(label text) returns bigint language sql stable as $$
  select (select count(*) from auth.users where id = pg_temp.id(label))
       + (select count(*) from public.profiles where id = pg_temp.id(label))
       + (select count(*) from public.providers where user_id = pg_temp.id(label))
       + (select count(*) from public.model_configs where user_id = pg_temp.id(label))
       + (select count(*) from public.chats where user_id = pg_temp.id(label))
       + (select count(*) from public.messages m join public.chats c on c.id = m.chat_id where c.user_id = pg_temp.id(label))
       + (select count(*) from public.jobs where user_id = pg_temp.id(label))
       + (select count(*) from vault.secrets where id = current_setting('test.' || label || '_secret')::uuid)
$$;

select pg_temp.new_user('expired');
select pg_temp.new_user('waiting');
select pg_temp.new_user('active');
select pg_temp.give_data('expired');
select pg_temp.give_data('waiting');
select pg_temp.give_data('active');
select pg_temp.schedule_deletion('expired', now() - interval '1 minute');
select pg_temp.schedule_deletion('waiting', now() + interval '29 days');

-- -----------------------------------------------------------------------------------------------------
-- The purge
-- -----------------------------------------------------------------------------------------------------

select is(pg_temp.leftovers('expired'), 8::bigint, 'the expired account has its user, profile, data and Vault secret');

select pg_temp.login('expired');
select throws_ok(
  $$ select private.purge_deleted_accounts() $$, '42501', null, 'a user cannot run the purge');
reset role;
select ok(
  not has_function_privilege('authenticated', 'private.purge_deleted_accounts()', 'execute')
  and not has_function_privilege('anon', 'private.purge_deleted_accounts()', 'execute')
  and has_function_privilege('service_role', 'private.purge_deleted_accounts()', 'execute'),
  'only service_role (and the owner, as pg_cron runs it) may execute the purge'
);

set local role service_role;
select cmp_ok(private.purge_deleted_accounts(), '>=', 1, 'the purge reports the accounts it deleted');
reset role;

select is(pg_temp.leftovers('expired'), 0::bigint,
  'the expired account is gone: Auth user, profile, providers, models, chats, messages, jobs and Vault secret');
select is(pg_temp.leftovers('waiting'), 8::bigint, 'an account whose deletion is not due yet is kept whole');
select is(pg_temp.leftovers('active'), 8::bigint, 'an active account is kept whole');

-- -----------------------------------------------------------------------------------------------------
-- The schedules
-- -----------------------------------------------------------------------------------------------------

select results_eq(
  $$ select schedule, command ~ 'private\.wake_worker_if_due\(\)', active, username::text
     from cron.job where jobname = 'pocketllm-wake-worker' $$,
  $$ values ('* * * * *'::text, true, true, 'postgres') $$,
  'pg_cron wakes the worker every minute'
);
select results_eq(
  $$ select command ~ 'private\.purge_deleted_accounts\(\)', active from cron.job where jobname = 'pocketllm-purge-deleted-accounts' $$,
  $$ values (true, true) $$,
  'pg_cron runs the account purge'
);
select isnt_empty(
  $$ select 1 from cron.job where jobname = 'pocketllm-trim-cron-history' and command ~ 'cron\.job_run_details' $$,
  'pg_cron trims its own run history'
);
select lives_ok(
  $$ select cron.schedule('pocketllm-wake-worker', '* * * * *', 'select private.wake_worker_if_due()') $$,
  'scheduling again by name is an upsert (the migration can be re-run)'
);
select is(
  (select count(*)::int from cron.job where jobname = 'pocketllm-wake-worker'),
  1,
  'and leaves a single job of that name'
);
select lives_ok(
  $$ select private.wake_worker_if_due() $$,
  'the scheduled wake-up command runs'
);

select * from finish();
rollback;
