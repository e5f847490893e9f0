-- Pinned and archived chats: false by default, and changing only them keeps the chat's updated_at.
begin;
select plan(5);

\ir helpers.psql

select pg_temp.new_user('owner');
insert into public.chats (user_id, title, updated_at)
values (pg_temp.id('owner'), 'organised', now() - interval '1 hour');

select is((select (pinned, archived)::text from public.chats where user_id = pg_temp.id('owner')),
  '(f,f)', 'a new chat is neither pinned nor archived');

select pg_temp.login('owner');
update public.chats set pinned = true, archived = true where user_id = pg_temp.id('owner');
select ok((select updated_at < now() - interval '59 minutes' from public.chats where user_id = pg_temp.id('owner')),
  'pinning and archiving keep updated_at');
update public.chats set pinned = false, updated_at = now() + interval '1 day' where user_id = pg_temp.id('owner');
select ok((select updated_at < now() from public.chats where user_id = pg_temp.id('owner')),
  'a flag change cannot carry a chosen updated_at');
update public.chats set title = 'renamed' where user_id = pg_temp.id('owner');
select ok((select updated_at = now() from public.chats where user_id = pg_temp.id('owner')),
  'a rename still moves updated_at');
reset role;

select has_index('public', 'chats', 'chats_user_id_archived_pinned_updated_at_idx', 'the list''s index exists');

select * from finish();
rollback;
