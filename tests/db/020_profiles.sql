-- Profiles: created by the auth.users trigger, kept in step with the email, limits as constraints,
-- and visible/changeable only by their owner.
begin;
select plan(29);

\ir helpers.psql

select pg_temp.new_user('owner', '{"full_name": "Ada Lovelace"}');
select pg_temp.new_user('named', '{"name": "Grace Hopper"}');
select pg_temp.new_user('stranger');

-- -----------------------------------------------------------------------------------------------------
-- Trigger on auth.users
-- -----------------------------------------------------------------------------------------------------

select results_eq(
  $$ select email, full_name from public.profiles where id = pg_temp.id('owner') $$,
  $$ select u.email::text, 'Ada Lovelace'::text from auth.users u where u.id = pg_temp.id('owner') $$,
  'a new auth user gets a profile with the email and full_name from the metadata'
);
select is(
  (select full_name from public.profiles where id = pg_temp.id('named')),
  'Grace Hopper',
  'the metadata''s `name` is used when there is no full_name'
);
select is(
  (select deletion_status from public.profiles where id = pg_temp.id('owner')),
  'active',
  'a new profile is active'
);

update auth.users set email = 'changed.' || id || '@pgtap.test' where id = pg_temp.id('owner');
select is(
  (select email from public.profiles where id = pg_temp.id('owner')),
  'changed.' || pg_temp.id('owner') || '@pgtap.test',
  'changing the Auth email changes the profile email'
);

-- -----------------------------------------------------------------------------------------------------
-- Constraints (documented limits)
-- -----------------------------------------------------------------------------------------------------

select throws_ok(
  format('update public.profiles set age = 12 where id = %L', pg_temp.id('owner')), '23514', null, 'age below 13 is refused');
select throws_ok(
  format('update public.profiles set age = 121 where id = %L', pg_temp.id('owner')), '23514', null, 'age above 120 is refused');
select lives_ok(
  format('update public.profiles set age = 13 where id = %L', pg_temp.id('owner')), 'age 13 is accepted');
select throws_ok(
  format('update public.profiles set username = repeat(''u'', 41) where id = %L', pg_temp.id('owner')),
  '23514', null, 'a username over 40 characters is refused');
select throws_ok(
  format('update public.profiles set full_name = repeat(''n'', 121) where id = %L', pg_temp.id('owner')),
  '23514', null, 'a full_name over 120 characters is refused');
select throws_ok(
  format('update public.profiles set bio = repeat(''b'', 501) where id = %L', pg_temp.id('owner')),
  '23514', null, 'a bio over 500 characters is refused');
select throws_ok(
  format('update public.profiles set profession = repeat(''p'', 121) where id = %L', pg_temp.id('owner')),
  '23514', null, 'a profession over 120 characters is refused');
select throws_ok(
  format('update public.profiles set deletion_status = ''pending'' where id = %L', pg_temp.id('owner')),
  '23514', null, 'a pending deletion needs its schedule');
select throws_ok(
  format('update public.profiles set onboarding_responses = ''[1]'' where id = %L', pg_temp.id('owner')),
  '23514', null, 'onboarding_responses must be an object');

update public.profiles set username = 'Ada' where id = pg_temp.id('owner');
select throws_ok(
  format('update public.profiles set username = ''ada'' where id = %L', pg_temp.id('stranger')),
  '23505', null, 'usernames are unique regardless of case');

-- -----------------------------------------------------------------------------------------------------
-- Owner
-- -----------------------------------------------------------------------------------------------------

update public.profiles set updated_at = now() - interval '1 day' where id = pg_temp.id('owner');
select pg_temp.login('owner');

select is(
  (select count(*)::int from public.profiles),
  1,
  'owner sees exactly one profile: their own'
);
select lives_ok(
  $$ update public.profiles set full_name = 'Ada King', bio = 'Analyst' where id = pg_temp.id('owner') $$,
  'owner can update their profile'
);
select is(
  (select updated_at from public.profiles where id = pg_temp.id('owner')),
  now(),
  'updating a profile sets updated_at'
);
select throws_ok(
  $$ update public.profiles set email = 'someone@else.test' where id = pg_temp.id('owner') $$,
  '42501', null, 'owner cannot change the email (it comes from Auth)'
);
select throws_ok(
  $$ update public.profiles set id = pg_temp.id('stranger') where id = pg_temp.id('owner') $$,
  '42501', null, 'owner cannot move their profile to another user id'
);
select lives_ok(
  $$ update public.profiles
     set deletion_status = 'pending', deletion_requested_at = now(), deletion_scheduled_for = now() + interval '30 days'
     where id = pg_temp.id('owner') $$,
  'owner can schedule their account deletion'
);
select throws_ok(
  $$ delete from public.profiles where id = pg_temp.id('owner') $$,
  '42501', null, 'owner cannot delete the profile directly (deletion is scheduled)'
);

-- -----------------------------------------------------------------------------------------------------
-- Stranger
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.login('stranger');

select is_empty(
  $$ select id from public.profiles where id = pg_temp.id('owner') $$,
  'a stranger cannot see the owner''s profile'
);
select is_empty(
  $$ update public.profiles set bio = 'hacked' where id = pg_temp.id('owner') returning id $$,
  'a stranger''s update of the owner''s profile changes nothing'
);
select throws_ok(
  $$ insert into public.profiles (id) values (gen_random_uuid()) $$,
  '42501', null, 'a stranger cannot create a profile for another id'
);

-- -----------------------------------------------------------------------------------------------------
-- Anonymous
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.login_anon();

select throws_ok($$ select * from public.profiles $$, '42501', null, 'anon cannot read profiles');
select throws_ok(
  $$ update public.profiles set bio = 'x' $$, '42501', null, 'anon cannot update profiles');

-- -----------------------------------------------------------------------------------------------------
-- Service role
-- -----------------------------------------------------------------------------------------------------

reset role;
set local role service_role;

select is(
  (select count(*)::int from public.profiles where id in (pg_temp.id('owner'), pg_temp.id('stranger'), pg_temp.id('named'))),
  3,
  'service_role sees every profile'
);
select is(
  (select bio from public.profiles where id = pg_temp.id('owner')),
  'Analyst',
  'the stranger''s attempt left the owner''s profile as the owner set it'
);

reset role;
delete from auth.users where id = pg_temp.id('named');
select is_empty(
  $$ select id from public.profiles where id = pg_temp.id('named') $$,
  'deleting the Auth user deletes the profile'
);

select * from finish();
rollback;
