-- Attachments: the table under RLS (owner-only; only chat_id and message_id writable, and only to the
-- owner's own chats and messages), the private bucket and its owner-read policy, and the sweep that
-- expires never-sent rows after 24 hours and lists the files whose row is gone.
begin;
select plan(11);

\ir helpers.psql
select pg_temp.new_user('owner');
select pg_temp.new_user('stranger');
insert into public.chats (id, user_id, title) values (gen_random_uuid(), pg_temp.id('stranger'), 'theirs')
returning pg_temp.remember('their_chat', id::text);

select results_eq(
  $$ select public, file_size_limit from storage.buckets where id = 'attachments' $$,
  $$ values (false, 10485760::bigint) $$,
  'attachments is a private bucket of up to 10 MiB'
);
select is((select relrowsecurity from pg_class where oid = 'public.attachments'::regclass), true, 'RLS is on');

select pg_temp.login('owner');
insert into public.attachments (kind, mime_type, name, size) values ('text', 'text/plain', 'a.txt', 3)
returning pg_temp.remember('mine', id::text);
select is((select user_id from public.attachments), pg_temp.id('owner'), 'the owner is the caller, whatever was sent');
select throws_ok(
  format($$ insert into public.attachments (kind, mime_type, size, chat_id) values ('text', 'text/plain', 1, %L) $$, pg_temp.id('their_chat')),
  '42501', null, 'an attachment cannot name another user''s chat'
);
select throws_ok(
  $$ update public.attachments set size = 1 $$, '42501', null, 'the size is the server''s'
);
select throws_ok(
  format($$ update public.attachments set chat_id = %L $$, pg_temp.id('their_chat')),
  '42501', null, 'nor can it be moved into another user''s chat'
);
reset role;
insert into storage.objects (bucket_id, name) values ('attachments', pg_temp.id('owner') || '/' || pg_temp.id('mine'));

select pg_temp.login('stranger');
select is_empty($$ select id from public.attachments $$, 'a stranger sees no one else''s attachments');
select is_empty($$ select name from storage.objects where bucket_id = 'attachments' $$, 'nor their files');
reset role;
select pg_temp.login('owner');
select is((select count(*)::int from storage.objects where bucket_id = 'attachments'), 1, 'the owner reads their file');
reset role;

update public.attachments set created_at = now() - interval '25 hours' where id = pg_temp.id('mine');
select ok(
  (pg_temp.id('owner') || '/' || pg_temp.id('mine')) = any(array(select private.sweep_attachments(100000))),
  'the sweep expires the never-sent row and lists its file'
);
select is_empty(format('select 1 from public.attachments where id = %L', pg_temp.id('mine')), 'the row is gone');

select * from finish();
rollback;
