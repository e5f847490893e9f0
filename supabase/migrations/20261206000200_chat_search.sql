-- =====================================================================================================
-- PocketLLM: full-text search over a user's chat titles and messages (GET /v1/chats/search)
-- Tokenised with the `simple` configuration: lower-cased words, no stemming and no stop words, so a
-- query means the same in any language the users write (an English stemmer would mangle the others).
--
-- Expression indexes rather than a generated tsvector column: adding a stored column would rewrite
-- the whole messages table under an exclusive lock when deployed, double what each message stores,
-- and put the vector in every row the API reads or exports (users' data export uses to_jsonb).
-- The price is that ts_rank recomputes the vector of each matching row; the query ranks only rows
-- the index already matched (bench/search.ts measures it). Queries must repeat these expressions
-- exactly (shared/chats/search.ts) for the planner to use the indexes.
-- A message is indexed on its first 100,000 characters: a tsvector holds at most 1 MB, which a
-- message of up to 1,000,000 characters could exceed (the insert would then fail).
-- =====================================================================================================

create index if not exists messages_content_search_idx
  on public.messages using gin (to_tsvector('simple'::regconfig, left(content, 100000)));

create index if not exists chats_title_search_idx
  on public.chats using gin (to_tsvector('simple'::regconfig, title));
