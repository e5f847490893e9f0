/**
 * Full-text search over the caller's chat titles and messages (API.md "Finding and organising
 * chats"): `websearch_to_tsquery` over the `simple` configuration, ranked with `ts_rank`, the best
 * hits' snippets made by `ts_headline` with the matched words in `**` (migrations `*_chat_search.sql`,
 * `*_chat_search_function.sql`).
 * @module
 */
import type { Reader } from "../db/client.ts";
import type { SearchHit } from "./schemas.ts";

const HEADLINE =
  'StartSel="**", StopSel="**", MaxWords=30, MinWords=10, MaxFragments=2, FragmentDelimiter=" … "';

/**
 * The caller's best hits for `q`, best first: titles (message_id and role null) and messages. The
 * matching runs in `search.chat_hits` (see its migration: under RLS the indexes cannot serve it);
 * the chats and messages are then read as the caller, under RLS. Only the page's hits get a
 * snippet (ts_headline re-reads the whole text: the costly part).
 */
export function searchChats(read: Reader, userId: string, q: string, limit: number): Promise<SearchHit[]> {
  return read((tx) =>
    tx<SearchHit[]>`
      select h.chat_id, c.title, h.message_id, m.role,
             ts_headline('simple', coalesce(left(m.content, 100000), c.title), websearch_to_tsquery('simple', ${q}),
                         ${HEADLINE}) as snippet,
             h.rank::float8 as rank, c.updated_at
      from search.chat_hits(${q}, ${limit}) h
      join public.chats c on c.id = h.chat_id and c.user_id = ${userId}
      left join public.messages m on m.id = h.message_id
      where h.message_id is null or m.id is not null
      order by h.rank desc, c.updated_at desc, h.message_id nulls first`
  );
}
