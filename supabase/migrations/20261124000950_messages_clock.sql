-- =====================================================================================================
-- PocketLLM: messages are stamped with the clock, not the transaction start
-- `now()` is the same for every row a transaction inserts, so two messages stored together (a user
-- message and a reply, an import) would tie on `created_at` and fall back to their random ids for
-- order. `clock_timestamp()` moves on within a transaction, so `created_at` alone orders a chat as it
-- was written; the lists still order by (created_at, id) and keyset cursors compare that pair.
-- A chat's `updated_at` stays the transaction's time (chats_set_updated_at), so it can be a little
-- earlier than the newest message's `created_at`.
-- =====================================================================================================

alter table public.messages alter column created_at set default clock_timestamp();
