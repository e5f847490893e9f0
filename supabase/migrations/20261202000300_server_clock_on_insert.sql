-- =====================================================================================================
-- PocketLLM: the Data API side door — creation times are the server's on insert too.
-- On a Supabase project PostgREST serves `public` to anyone holding the anon key and a user's token,
-- as `authenticated`. The update guards (private.protect_columns) keep ids, owners and times; this
-- keeps a client from choosing `created_at` / `updated_at` when it inserts a row directly.
-- =====================================================================================================

create or replace function private.stamp_server_times()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  -- The columns' own defaults: messages are ordered by the clock, everything else by its transaction.
  stamp timestamptz := case when tg_table_name = 'messages' then clock_timestamp() else now() end;
begin
  if current_user in ('anon', 'authenticated') then
    -- Keys the table lacks are ignored by jsonb_populate_record.
    new := jsonb_populate_record(new, jsonb_build_object('created_at', stamp, 'updated_at', stamp));
  end if;
  return new;
end
$$;

revoke execute on function private.stamp_server_times() from public, anon, authenticated, service_role;

do $$
declare
  t text;
begin
  foreach t in array array['profiles', 'providers', 'model_configs', 'chats', 'messages', 'jobs'] loop
    execute format(
      'create or replace trigger %I before insert on public.%I for each row execute function private.stamp_server_times()',
      t || '_stamp_server_times', t);
  end loop;
end
$$;
