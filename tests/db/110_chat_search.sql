-- Full-text search: the expression indexes exist and serve the search's own expressions; RLS keeps
-- a user's search to their own messages.
begin;
select plan(7);

\ir helpers.psql

select pg_temp.new_user('owner');
select pg_temp.new_user('other');
insert into public.chats (id, user_id, title) values (gen_random_uuid(), pg_temp.id('owner'), 'pgtap search');
insert into public.messages (chat_id, role, content)
select id, 'user', 'the quokkaword is here' from public.chats where user_id = pg_temp.id('owner');

select has_index('public', 'messages', 'messages_content_search_idx', 'messages have a search index');
select has_index('public', 'chats', 'chats_title_search_idx', 'titles have a search index');

create function pg_temp.search_plan() returns text language plpgsql as $$
declare
  line text;
  plan text := '';
begin
  for line in execute 'explain select id from public.messages where to_tsvector(''simple''::regconfig, '
    || 'left(content, 100000)) @@ websearch_to_tsquery(''simple'', ''quokkaword'')' loop
    plan := plan || line || E'\n';
  end loop;
  return plan;
end
$$;
set local enable_seqscan = off;
select matches(pg_temp.search_plan(), 'messages_content_search_idx', 'the search expression uses the index');

select pg_temp.login('other');
select is(
  (select count(*) from public.messages
   where to_tsvector('simple'::regconfig, left(content, 100000)) @@ websearch_to_tsquery('simple', 'quokkaword')),
  0::bigint, 'another user finds none of the owner''s messages');
select is((select count(*) from search.chat_hits('quokkaword', 20)), 0::bigint,
  'search.chat_hits finds nothing of another user''s');

select pg_temp.login('owner');
select is((select count(*) from search.chat_hits('quokkaword or pgtap', 20)), 2::bigint,
  'search.chat_hits finds the caller''s message and title');

select pg_temp.login_anon();
select throws_ok($$select * from search.chat_hits('quokkaword', 20)$$, '42501', null, 'anon cannot search');
reset role;

select * from finish();
rollback;
