-- Avatars: the public user-assets bucket, its owner-only policies under profiles/<own id>/, and
-- erase_account listing the account's avatar files with its other files.
begin;
select plan(9);

\ir helpers.psql
select pg_temp.new_user('owner');
select pg_temp.new_user('stranger');

select results_eq(
  $$ select public, file_size_limit, allowed_mime_types from storage.buckets where id = 'user-assets' $$,
  $$ values (true, 5242880::bigint, array['image/png', 'image/jpeg', 'image/webp', 'image/heic']) $$,
  'user-assets is a public bucket of images up to 5 MiB'
);

select pg_temp.login('owner');
select lives_ok(
  format($$ insert into storage.objects (bucket_id, name) values ('user-assets', 'profiles/%s/avatar-1.png') $$, pg_temp.id('owner')),
  'the owner writes under profiles/<own id>/'
);
select throws_ok(
  format($$ insert into storage.objects (bucket_id, name) values ('user-assets', 'profiles/%s/avatar-1.png') $$, pg_temp.id('stranger')),
  '42501', null, 'the owner cannot write under another user''s folder'
);
select throws_ok(
  format($$ insert into storage.objects (bucket_id, name) values ('user-assets', '%s/avatar-1.png') $$, pg_temp.id('owner')),
  '42501', null, 'nor outside profiles/'
);
select is((select count(*)::int from storage.objects where bucket_id = 'user-assets'), 1, 'the owner sees their file');
reset role;

select pg_temp.login('stranger');
select is_empty($$ select name from storage.objects where bucket_id = 'user-assets' $$, 'a stranger lists none of it');
select is_empty(
  $$ delete from storage.objects where bucket_id = 'user-assets' returning name $$,
  'a stranger deletes none of it'
);
reset role;
select pg_temp.login_anon();
select is_empty($$ select name from storage.objects where bucket_id = 'user-assets' $$, 'anon lists none of it');
reset role;

select results_eq(
  format('select bucket_id, name from private.erase_account(%L)', pg_temp.id('owner')),
  format($$ values ('user-assets'::text, 'profiles/%s/avatar-1.png'::text) $$, pg_temp.id('owner')),
  'erase_account lists the avatar files'
);

select * from finish();
rollback;
