-- The waitlist: one entry per lower-cased email, limits on every field, and no way in through the Data
-- API: row level security with no policy, and no grant for anon or authenticated (the API writes with
-- the service role).
begin;
select plan(14);

\ir helpers.psql

select has_table('public', 'waitlist_entries', 'public.waitlist_entries exists');
select ok(
  (select relrowsecurity from pg_class where oid = 'public.waitlist_entries'::regclass),
  'row level security is enabled'
);
select is_empty(
  $$ select policyname from pg_policies where schemaname = 'public' and tablename = 'waitlist_entries' $$,
  'no policy lets any role in'
);
select is_empty(
  $$ select grantee, privilege_type from information_schema.role_table_grants
     where table_schema = 'public' and table_name = 'waitlist_entries' and grantee in ('anon', 'authenticated') $$,
  'anon and authenticated are granted nothing'
);

-- The service role (the API) writes and reads.
set local role service_role;
select lives_ok(
  $$ insert into public.waitlist_entries (full_name, email, links, metadata)
     values ('Ada', 'ada@pgtap.test', array['https://example.com'], '{"platform": "ios"}') $$,
  'the service role stores an application'
);
select throws_ok(
  $$ insert into public.waitlist_entries (full_name, email) values ('Impostor', 'ADA@pgtap.test') $$,
  '23505', null, 'one entry per lower-cased email'
);
select lives_ok(
  $$ insert into public.waitlist_entries (full_name, email) values ('Impostor', 'Ada@PGTAP.test')
     on conflict ((lower(email))) do nothing $$,
  'the API''s insert skips a known email without an error'
);
select is(
  (select full_name from public.waitlist_entries where lower(email) = 'ada@pgtap.test'),
  'Ada',
  'the first application stays'
);
select throws_ok(
  $$ insert into public.waitlist_entries (full_name, email, links)
     values ('Many', 'many@pgtap.test', array_fill('https://example.com'::text, array[11])) $$,
  '23514', null, 'at most 10 links'
);
select throws_ok(
  $$ insert into public.waitlist_entries (full_name, email, metadata)
     values ('Big', 'big@pgtap.test', jsonb_build_object('blob', repeat('x', 9000))) $$,
  '23514', null, 'metadata has a size limit'
);
select throws_ok(
  $$ insert into public.waitlist_entries (full_name, email) values ('', 'empty@pgtap.test') $$,
  '23514', null, 'a name is required'
);
reset role;

-- The Data API's roles reach nothing.
select pg_temp.new_user('applicant');
select pg_temp.login('applicant');
select throws_ok(
  $$ select count(*) from public.waitlist_entries $$,
  '42501', null, 'an authenticated user cannot read the waitlist'
);
select throws_ok(
  $$ insert into public.waitlist_entries (full_name, email) values ('Me', 'me@pgtap.test') $$,
  '42501', null, 'an authenticated user cannot write to the waitlist'
);
reset role;
select pg_temp.login_anon();
select throws_ok(
  $$ insert into public.waitlist_entries (full_name, email) values ('Anon', 'anon@pgtap.test') $$,
  '42501', null, 'anon cannot write to the waitlist'
);
reset role;

select * from finish();
rollback;
