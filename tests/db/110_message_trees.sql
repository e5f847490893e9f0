-- Conversations as trees: messages chain to the active leaf (also within one multi-row insert), an
-- explicit parent must be of the same chat, a new root only when asked, branches go with their root,
-- and clients cannot move a message.
begin;
select plan(9);

\ir helpers.psql

select pg_temp.new_user('owner');
insert into public.chats (id, user_id, title) values
  ('00000000-0000-4000-8000-00000000c001', pg_temp.id('owner'), 'one'),
  ('00000000-0000-4000-8000-00000000c002', pg_temp.id('owner'), 'two');

insert into public.messages (id, chat_id, role, content) values
  ('00000000-0000-4000-8000-0000000000a1', '00000000-0000-4000-8000-00000000c001', 'user', 'q1'),
  ('00000000-0000-4000-8000-0000000000a2', '00000000-0000-4000-8000-00000000c001', 'assistant', 'a1');
select is((select parent_id from public.messages where id = '00000000-0000-4000-8000-0000000000a2'),
  '00000000-0000-4000-8000-0000000000a1'::uuid, 'rows of one insert chain in order');
select is((select active_leaf_id from public.chats where id = '00000000-0000-4000-8000-00000000c001'),
  '00000000-0000-4000-8000-0000000000a2'::uuid, 'the newest message is the active leaf');

insert into public.messages (id, chat_id, parent_id, role, content) values
  ('00000000-0000-4000-8000-0000000000a3', '00000000-0000-4000-8000-00000000c001',
   '00000000-0000-4000-8000-0000000000a1', 'assistant', 'a1 again');
select is((select active_leaf_id from public.chats where id = '00000000-0000-4000-8000-00000000c001'),
  '00000000-0000-4000-8000-0000000000a3'::uuid, 'a sibling with an explicit parent becomes the active leaf');

select throws_ok($$insert into public.messages (chat_id, parent_id, role, content) values
  ('00000000-0000-4000-8000-00000000c002', '00000000-0000-4000-8000-0000000000a1', 'user', 'x')$$,
  '23503', null, 'a parent must be a message of the same chat');

select set_config('pocketllm.new_root', 'true', true);
insert into public.messages (id, chat_id, role, content) values
  ('00000000-0000-4000-8000-0000000000b1', '00000000-0000-4000-8000-00000000c001', 'user', 'q1 edited');
select set_config('pocketllm.new_root', '', true);
select is((select parent_id from public.messages where id = '00000000-0000-4000-8000-0000000000b1'), null,
  'a transaction that asks for a new root gets one');

delete from public.messages where id = '00000000-0000-4000-8000-0000000000a1';
select is((select count(*) from public.messages where chat_id = '00000000-0000-4000-8000-00000000c001'), 1::bigint,
  'deleting a message deletes the branches under it');
select is((select active_leaf_id from public.chats where id = '00000000-0000-4000-8000-00000000c001'),
  '00000000-0000-4000-8000-0000000000b1'::uuid, 'the other branch''s leaf is kept');

select pg_temp.login('owner');
select throws_ok($$update public.messages set parent_id = id where id = '00000000-0000-4000-8000-0000000000b1'$$,
  '42501', null, 'clients cannot move a message to another branch');
select lives_ok($$insert into public.messages (chat_id, role, content) values
  ('00000000-0000-4000-8000-00000000c002', 'user', 'through the Data API')$$,
  'a client''s own insert still works and continues the chat');
reset role;

select * from finish();
rollback;
