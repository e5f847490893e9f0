/**
 * Full-text search over the caller's chat titles and messages (API.md "Finding and organising
 * chats"): `websearch_to_tsquery` over the `simple` configuration, ranked with `ts_rank`, the best
 * hits' snippets made by `ts_headline` with the matched words in `**`. The `to_tsvector(...)`
 * expressions repeat the indexes' (supabase/migrations/*_chat_search.sql) so the planner uses them.
 * @module
 */
import type { Reader } from "../db/client.ts";
import type { SearchHit } from "./schemas.ts";

const HEADLINE =
  'StartSel="**", StopSel="**", MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "';

/**
 * The caller's best hits for `q`, best first: titles (message_id and role null) and messages. Only
 * the page's hits get a snippet (ts_headline re-reads the whole text: the costly part).
 */
export function searchChats(read: Reader, userId: string, q: string, limit: number): Promise<SearchHit[]> {
  return read((tx) =>
    tx<SearchHit[]>`
      with query as (select websearch_to_tsquery('simple', ${q}) as q),
      hits as (
        select c.id as chat_id, null::uuid as message_id, null::text as role, c.title as text,
               ts_rank(to_tsvector('simple'::regconfig, c.title), query.q) as rank
        from public.chats c, query
        where c.user_id = ${userId} and to_tsvector('simple'::regconfig, c.title) @@ query.q
        union all
        select m.chat_id, m.id, m.role, left(m.content, 100000),
               ts_rank(to_tsvector('simple'::regconfig, left(m.content, 100000)), query.q)
        from public.messages m join public.chats c on c.id = m.chat_id, query
        where c.user_id = ${userId} and to_tsvector('simple'::regconfig, left(m.content, 100000)) @@ query.q
      ),
      best as (
        select hits.*, c.title, c.updated_at from hits join public.chats c on c.id = hits.chat_id
        order by hits.rank desc, c.updated_at desc, hits.message_id nulls first
        limit ${limit}
      )
      select best.chat_id, best.title, best.message_id, best.role,
             ts_headline('simple', best.text, query.q, ${HEADLINE}) as snippet,
             best.rank::float8 as rank, best.updated_at
      from best, query
      order by best.rank desc, best.updated_at desc, best.message_id nulls first`
  );
}
