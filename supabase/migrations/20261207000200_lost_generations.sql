-- =====================================================================================================
-- PocketLLM: generations whose writer is gone (API.md "Stopping and resuming a generation").
-- A streamed reply's message says `metadata.status` "generating" and its writer stamps
-- `metadata.progress_at` with every write (at least every few seconds while it lives, shared/chats/
-- generation.ts). An isolate that dies mid-reply leaves its message generating for ever: every five
-- minutes pg_cron ends the ones silent for five minutes as "error" / `generation_lost`, their text kept,
-- so that the app stops waiting and a follower gets its last event.
-- =====================================================================================================

-- The few messages being generated, found without reading the others.
create index if not exists messages_generating_idx on public.messages (id)
  where metadata ->> 'status' = 'generating';

-- Ends the generations silent for longer than p_silent; returns how many.
create or replace function private.end_lost_generations(p_silent interval default interval '5 minutes')
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  ended integer;
begin
  update public.messages
     set metadata = metadata || jsonb_build_object(
           'status', 'error',
           'finish_reason', 'error',
           'error', jsonb_build_object(
             'code', 'generation_lost',
             'detail', 'The reply stopped being written (its server went away); its text so far is kept.'))
   where metadata ->> 'status' = 'generating'
     and coalesce((metadata ->> 'progress_at')::timestamptz, created_at) < now() - p_silent;
  get diagnostics ended = row_count;
  return ended;
end
$$;

revoke execute on function private.end_lost_generations(interval) from public, anon, authenticated, service_role;

select cron.schedule(
  'pocketllm-end-lost-generations',
  '*/5 * * * *',
  $$select private.end_lost_generations()$$
);
