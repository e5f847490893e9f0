-- Shares: the share_id is the server's (long, random), only the owner reaches a share through the
-- Data API, a share goes with its chat.
begin;
select plan(7);

\ir helpers.psql

select pg_temp.new_user('owner');
select pg_temp.new_user('other');
insert into public.chats (user_id, title) values (pg_temp.id('owner'), 'to share');
select pg_temp.remember('chat', (select id::text from public.chats where user_id = pg_temp.id('owner')));

select pg_temp.login('owner');
insert into public.chat_shares (chat_id, title, share_id) values (pg_temp.id('chat'), 'to share', 'chosen');
select is((select count(*) from public.chat_shares where share_id = 'chosen'), 0::bigint,
  'a chosen share_id is replaced by the server''s');
select matches((select share_id from public.chat_shares), '^[A-Za-z0-9_-]{43}$', 'share_id: 32 bytes, base64url');
select throws_ok($$update public.chat_shares set share_id = 'guessable'$$, '42501', null,
  'the owner cannot change the share_id');

select pg_temp.login('other');
select is((select count(*) from public.chat_shares), 0::bigint, 'another user sees no share');
select throws_ok(
  format($$insert into public.chat_shares (chat_id, title) values (%L, 'forged')$$, pg_temp.id('chat')),
  '42501', null, 'nobody shares a chat that is not theirs');

select pg_temp.login_anon();
select throws_ok('select count(*) from public.chat_shares', '42501', null, 'anon cannot read shares');
reset role;

delete from public.chats where id = pg_temp.id('chat');
select is((select count(*) from public.chat_shares where chat_id = pg_temp.id('chat')), 0::bigint,
  'deleting the chat revokes its share');

select * from finish();
rollback;
