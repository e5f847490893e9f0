-- What the shipping app needs of the schema: preferences (an object of at most 16 KB), usernames of
-- printable characters, saved models of the app's client-side providers (no provider row), and
-- erasing an account at once (service role only).
begin;
select plan(13);

\ir helpers.psql

select pg_temp.new_user('owner');
select pg_temp.new_user('other');

select is(
  (select preferences from public.profiles where id = pg_temp.id('owner')),
  '{}'::jsonb,
  'preferences are {} by default'
);
select lives_ok(
  format($$update public.profiles set preferences = preferences || '{"appearance": {"theme": "dark"}}' where id = %L$$,
         pg_temp.id('owner')),
  'preferences take an object'
);
select throws_ok(
  format($$update public.profiles set preferences = '["dark"]' where id = %L$$, pg_temp.id('owner')),
  '23514', null, 'preferences must be an object');
select throws_ok(
  format($$update public.profiles set preferences = jsonb_build_object('big', repeat('x', 16400)) where id = %L$$,
         pg_temp.id('owner')),
  '23514', null, 'preferences over 16 KB are refused');
select lives_ok(
  format($$update public.profiles set username = 'Mobile Tester' where id = %L$$, pg_temp.id('owner')),
  'a username may hold spaces');
select throws_ok(
  format($$update public.profiles set username = 'mobile tester' where id = %L$$, pg_temp.id('other')),
  '23505', null, 'usernames are unique regardless of case');
select throws_ok(
  format($$update public.profiles set username = e'tab\there' where id = %L$$, pg_temp.id('other')),
  '23514', null, 'a username with a control character is refused');
select throws_ok(
  format($$update public.profiles set username = ' padded' where id = %L$$, pg_temp.id('other')),
  '23514', null, 'a username is stored trimmed');

select lives_ok(
  format($$insert into public.model_configs (user_id, provider, name, model) values (%L, 'ollama', 'llama3.2:3b', 'llama3.2:3b')$$,
         pg_temp.id('owner')),
  'a model of a client-side provider is saved without a provider row');
select throws_ok(
  format($$insert into public.model_configs (user_id, provider, name, model) values (%L, 'skynet', 'x', 'x')$$,
         pg_temp.id('owner')),
  '23514', null, 'an unknown provider is still refused');

-- Erasing: not for clients; the service role deletes the Auth user and gets the files to remove.
select pg_temp.login('owner');
select throws_ok(
  format('select * from private.erase_account(%L)', pg_temp.id('owner')),
  '42501', null, 'an authenticated user cannot call erase_account');
reset role;
set local role service_role;
select is(
  (select count(*)::int from private.erase_account(pg_temp.id('owner'))),
  0,
  'erase_account lists the account''s files (none here)'
);
reset role;
select is(
  (select count(*)::int from auth.users u join public.profiles p on p.id = u.id
    where u.id = pg_temp.id('owner')),
  0,
  'the Auth user and the profile are gone'
);

select * from finish();
rollback;
