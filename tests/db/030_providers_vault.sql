-- Providers and Vault: keys live only in Vault, reached only through the service_role functions;
-- rows are the owner's alone; deleting a key, a provider or a user deletes the secret.
begin;
select plan(43);

\ir helpers.psql

select pg_temp.new_user('owner');
select pg_temp.new_user('stranger');

-- A long key (preview shows 4 + stars + 4) and the key the stranger stores for themselves.
select pg_temp.remember('key', 'sk-test-' || replace(gen_random_uuid()::text, '-', ''));
select pg_temp.remember('key2', 'sk-rotated-' || replace(gen_random_uuid()::text, '-', ''));

-- -----------------------------------------------------------------------------------------------------
-- Owner: the row
-- -----------------------------------------------------------------------------------------------------

select pg_temp.login('owner');

select lives_ok(
  $$ insert into public.providers (user_id, provider, display_name) values (pg_temp.id('owner'), 'openai', 'OpenAI') $$,
  'owner can add a provider'
);
select is(
  (select has_api_key from public.providers where user_id = pg_temp.id('owner') and provider = 'openai'),
  false,
  'a provider starts without a key'
);
select throws_ok(
  $$ insert into public.providers (user_id, provider, vault_secret_id, api_key_preview, api_key_hash)
     values (pg_temp.id('owner'), 'groq', gen_random_uuid(), 'x', repeat('a', 64)) $$,
  '42501', null, 'owner cannot set the key columns themselves'
);
select throws_ok(
  $$ insert into public.providers (user_id, provider) values (pg_temp.id('owner'), 'openai') $$,
  '23505', null, 'one row per user and provider'
);
select throws_ok(
  $$ insert into public.providers (user_id, provider) values (pg_temp.id('owner'), 'skynet') $$,
  '23514', null, 'an unknown provider is refused'
);
select throws_ok(
  $$ insert into public.providers (user_id, provider) values (pg_temp.id('owner'), 'openai_compatible') $$,
  '23514', null, 'openai_compatible needs a base_url'
);
select throws_ok(
  $$ insert into public.providers (user_id, provider, base_url) values (pg_temp.id('owner'), 'mistral', 'ftp://x') $$,
  '23514', null, 'base_url must be http(s)'
);
select throws_ok(
  $$ insert into public.providers (user_id, provider) values (pg_temp.id('stranger'), 'groq') $$,
  '42501', null, 'owner cannot add a provider for someone else'
);

-- -----------------------------------------------------------------------------------------------------
-- Vault functions are not for users
-- -----------------------------------------------------------------------------------------------------

select throws_ok(
  $$ select private.store_provider_key(pg_temp.id('owner'), 'openai', current_setting('test.key')) $$,
  '42501', null, 'authenticated cannot store a key through the Vault function'
);
select throws_ok(
  $$ select private.get_provider_key(pg_temp.id('owner'), 'openai') $$,
  '42501', null, 'authenticated cannot read a key through the Vault function'
);
select throws_ok(
  $$ select * from vault.secrets $$, '42501', null, 'authenticated cannot read vault.secrets');
select throws_ok(
  $$ select * from vault.decrypted_secrets $$, '42501', null, 'authenticated cannot read vault.decrypted_secrets');

-- -----------------------------------------------------------------------------------------------------
-- Service role: store, read, rotate, delete
-- -----------------------------------------------------------------------------------------------------

reset role;
select is(
  (select count(*)::int from unnest(array[
     'private.store_provider_key(uuid,text,text)', 'private.rotate_provider_key(uuid,text,text)',
     'private.get_provider_key(uuid,text)', 'private.delete_provider_key(uuid,text)']) f
   where has_function_privilege('authenticated', f, 'execute') or has_function_privilege('anon', f, 'execute')),
  0,
  'neither anon nor authenticated may execute any Vault function'
);

set local role service_role;

select isnt(
  private.store_provider_key(pg_temp.id('owner'), 'openai', current_setting('test.key')),
  null,
  'service_role stores the key and gets the Vault secret id'
);
select pg_temp.remember('secret', (select vault_secret_id::text from public.providers
  where user_id = pg_temp.id('owner') and provider = 'openai'));

select results_eq(
  $$ select has_api_key, api_key_preview, api_key_hash from public.providers
     where user_id = pg_temp.id('owner') and provider = 'openai' $$,
  $$ select true, left(current_setting('test.key'), 4) || repeat('*', char_length(current_setting('test.key')) - 8)
              || right(current_setting('test.key'), 4),
            encode(extensions.digest(current_setting('test.key'), 'sha256'), 'hex') $$,
  'the row records the preview (first 4, stars, last 4) and the SHA-256 of the key'
);
select is(private.api_key_preview('12345678'), '********', 'a key of 8 characters or fewer previews as stars only');
select is(
  private.get_provider_key(pg_temp.id('owner'), 'openai'),
  current_setting('test.key'),
  'the key reads back from Vault'
);
select is(private.get_provider_key(pg_temp.id('stranger'), 'openai'), null, 'no key for a user without that provider');
select throws_ok(
  $$ select private.store_provider_key(pg_temp.id('owner'), 'openai', 'too-short') $$,
  '22023', null, 'a key under 16 characters is refused'
);
select throws_ok(
  $$ select private.store_provider_key(pg_temp.id('owner'), 'groq', current_setting('test.key')) $$,
  'P0002', null, 'storing needs the provider row'
);

reset role;
select is(
  (select decrypted_secret from vault.decrypted_secrets where id = current_setting('test.secret')::uuid),
  current_setting('test.key'),
  'the key is a Vault secret'
);
select is_empty(
  $$ select 1 from public.providers p where p::text like '%' || current_setting('test.key') || '%'
     union all
     select 1 from vault.secrets s where s.secret like '%' || current_setting('test.key') || '%' $$,
  'the plain key is stored nowhere: not in the row, not unencrypted in vault.secrets'
);

set local role service_role;
select is(
  private.rotate_provider_key(pg_temp.id('owner'), 'openai', current_setting('test.key2')),
  current_setting('test.secret')::uuid,
  'rotation keeps the same Vault secret'
);
select is(
  private.get_provider_key(pg_temp.id('owner'), 'openai'),
  current_setting('test.key2'),
  'after rotation the new key reads back'
);
select is(
  (select api_key_hash from public.providers where user_id = pg_temp.id('owner') and provider = 'openai'),
  encode(extensions.digest(current_setting('test.key2'), 'sha256'), 'hex'),
  'after rotation the hash is the new key''s'
);
select throws_ok(
  $$ select private.rotate_provider_key(pg_temp.id('stranger'), 'openai', current_setting('test.key2')) $$,
  'P0002', null, 'rotating needs a stored key'
);

-- A row pointed at a secret that is not its own yields nothing.
reset role;
select pg_temp.remember('foreign_secret', vault.create_secret('not-your-key-0123456789', 'pgtap-foreign-' || gen_random_uuid())::text);
insert into public.providers (user_id, provider) values (pg_temp.id('stranger'), 'groq');
update public.providers
set vault_secret_id = current_setting('test.foreign_secret')::uuid, api_key_preview = 'x', api_key_hash = repeat('0', 64)
where user_id = pg_temp.id('stranger') and provider = 'groq';
select is(
  private.get_provider_key(pg_temp.id('stranger'), 'groq'),
  null,
  'get_provider_key only returns the secret named after that user and provider'
);

-- -----------------------------------------------------------------------------------------------------
-- Owner: what they may change
-- -----------------------------------------------------------------------------------------------------

select pg_temp.login('owner');
select lives_ok(
  $$ update public.providers set display_name = 'My OpenAI', is_active = false, validation_status = 'valid',
       last_validated_at = now() where user_id = pg_temp.id('owner') and provider = 'openai' $$,
  'owner can change the display name, activity and validation state'
);
select throws_ok(
  $$ update public.providers set vault_secret_id = current_setting('test.foreign_secret')::uuid
     where user_id = pg_temp.id('owner') and provider = 'openai' $$,
  '42501', null, 'owner cannot point the row at another Vault secret'
);
select throws_ok(
  $$ update public.providers set api_key_preview = 'sk-x' where user_id = pg_temp.id('owner') and provider = 'openai' $$,
  '42501', null, 'owner cannot change the key preview'
);
select throws_ok(
  $$ update public.providers set user_id = pg_temp.id('stranger') where user_id = pg_temp.id('owner') $$,
  '42501', null, 'owner cannot give the row to another user'
);

-- -----------------------------------------------------------------------------------------------------
-- Stranger
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.login('stranger');
select is_empty(
  $$ select id from public.providers where user_id = pg_temp.id('owner') $$,
  'a stranger cannot see the owner''s providers'
);
select is_empty(
  $$ update public.providers set display_name = 'pwned' where user_id = pg_temp.id('owner') returning id $$,
  'a stranger''s update of the owner''s provider changes nothing'
);
select is_empty(
  $$ delete from public.providers where user_id = pg_temp.id('owner') returning id $$,
  'a stranger''s delete of the owner''s provider deletes nothing'
);

-- -----------------------------------------------------------------------------------------------------
-- Anonymous
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.login_anon();
select throws_ok($$ select * from public.providers $$, '42501', null, 'anon cannot read providers');
select throws_ok(
  $$ select private.get_provider_key(gen_random_uuid(), 'openai') $$, '42501', null, 'anon cannot call the Vault functions');

-- -----------------------------------------------------------------------------------------------------
-- Deleting keys, providers and users removes the secrets
-- -----------------------------------------------------------------------------------------------------

reset role;
set local role service_role;
select is(private.delete_provider_key(pg_temp.id('owner'), 'openai'), true, 'delete_provider_key removes a stored key');
select is(private.delete_provider_key(pg_temp.id('owner'), 'openai'), false, 'and reports false when there is none');
reset role;
select results_eq(
  $$ select has_api_key, api_key_preview, api_key_hash, display_name from public.providers
     where user_id = pg_temp.id('owner') and provider = 'openai' $$,
  $$ values (false, null::text, null::text, 'My OpenAI'::text) $$,
  'the provider row stays, without key columns'
);
select is_empty(
  $$ select id from vault.secrets where id = current_setting('test.secret')::uuid $$,
  'the Vault secret is gone'
);

set local role service_role;
select pg_temp.remember('secret', private.store_provider_key(pg_temp.id('owner'), 'openai', current_setting('test.key'))::text);
reset role;
select pg_temp.login('owner');
delete from public.providers where user_id = pg_temp.id('owner') and provider = 'openai';
reset role;
select is_empty(
  $$ select id from vault.secrets where id = current_setting('test.secret')::uuid $$,
  'deleting the provider (as its owner) deletes its Vault secret'
);

insert into public.providers (user_id, provider) values (pg_temp.id('owner'), 'anthropic');
select pg_temp.remember('secret', private.store_provider_key(pg_temp.id('owner'), 'anthropic', current_setting('test.key'))::text);
delete from auth.users where id = pg_temp.id('owner');
select is_empty(
  $$ select id from vault.secrets
     where id = current_setting('test.secret')::uuid or name like '%' || current_setting('test.owner') || '%' $$,
  'deleting the user deletes their providers'' Vault secrets'
);
select is_empty(
  $$ select id from public.providers where user_id = pg_temp.id('owner') $$,
  'deleting the user deletes their providers'
);

select * from finish();
rollback;
