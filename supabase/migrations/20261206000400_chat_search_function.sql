-- =====================================================================================================
-- PocketLLM: chat search through its indexes (follows *_chat_search.sql)
-- Under row level security Postgres refuses to use a condition that is not leakproof as an index
-- condition before the policy's own (tsvector @@ tsquery is not leakproof, and only a superuser can
-- mark it so): searched as the user, every message of the table had its tsvector computed
-- (bench/search.ts measured 5 s for 100,000 messages). So the matching is done here, as the owner of
-- the tables, for the caller only (auth.uid() of the transaction's claims): it returns ids and ranks;
-- the API then reads the chats and messages themselves as the user, under RLS.
-- In a schema of its own, as `limits`: usable by the API's role, not exposed to the Data API.
-- =====================================================================================================

create schema if not exists search;
comment on schema search is 'PocketLLM: chat search the API calls as the signed-in user; not exposed to the Data API.';
revoke all on schema search from public;
grant usage on schema search to authenticated, service_role;

-- The caller's best `p_limit` hits (chat titles: message_id null; messages), best first. The
-- expressions repeat the indexes' exactly, so that the planner uses them. ts_rank recomputes each
-- candidate's tsvector, so at most 5,000 matching messages (the first the index gives) are ranked: a
-- word in nearly every message (no stop words in `simple`) would otherwise cost seconds.
create or replace function search.chat_hits(p_query text, p_limit integer)
returns table (chat_id uuid, message_id uuid, rank real)
language sql
stable
security definer
set search_path = ''
as $$
  select h.chat_id, h.message_id, h.rank
  from (
    select c.id as chat_id, null::uuid as message_id, c.updated_at,
           ts_rank(to_tsvector('simple'::regconfig, c.title), websearch_to_tsquery('simple'::regconfig, p_query))
             as rank
    from public.chats c
    where c.user_id = (select auth.uid())
      and to_tsvector('simple'::regconfig, c.title) @@ websearch_to_tsquery('simple'::regconfig, p_query)
    union all
    select m.chat_id, m.id, m.updated_at,
           ts_rank(to_tsvector('simple'::regconfig, left(m.content, 100000)),
                   websearch_to_tsquery('simple'::regconfig, p_query))
    from (
      select m.chat_id, m.id, m.content, c.updated_at
      from public.messages m
      join public.chats c on c.id = m.chat_id
      where c.user_id = (select auth.uid())
        and to_tsvector('simple'::regconfig, left(m.content, 100000))
            @@ websearch_to_tsquery('simple'::regconfig, p_query)
      limit 5000
    ) m
  ) h
  order by h.rank desc, h.updated_at desc, h.message_id nulls first
  limit least(greatest(p_limit, 1), 100)
$$;

revoke execute on function search.chat_hits(text, integer) from public, anon;
grant execute on function search.chat_hits(text, integer) to authenticated, service_role;
