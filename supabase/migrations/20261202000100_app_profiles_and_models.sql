-- =====================================================================================================
-- PocketLLM: what the shipping app needs of profiles and saved models (API.md "Users", "Models")
-- - profiles.preferences: the app's settings (appearance, ...), an object of at most 16 KB;
-- - usernames as the app allows them: any printable characters (spaces included), no control characters;
-- - saved models of the app's client-side providers (ollama, lmstudio): no provider row, never called;
-- - erasing an account now (DELETE /v1/users/profile?immediate=true), not after the 30-day grace.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- PROFILES
-- -----------------------------------------------------------------------------------------------------

alter table public.profiles add column if not exists preferences jsonb not null default '{}'::jsonb;

alter table public.profiles drop constraint if exists profiles_preferences_is_object;
alter table public.profiles add constraint profiles_preferences_is_object
  check (jsonb_typeof(preferences) = 'object');

-- Checked on the merged value too: a merge that grows past 16 KB is refused (the API answers 422).
alter table public.profiles drop constraint if exists profiles_preferences_size;
alter table public.profiles add constraint profiles_preferences_size
  check (octet_length(preferences::text) <= 16384);

alter table public.profiles drop constraint if exists profiles_username_printable;
alter table public.profiles add constraint profiles_username_printable
  check (username !~ '[[:cntrl:]]' and username = btrim(username));

comment on column public.profiles.preferences is 'The app''s settings (appearance, ...): merged one level deep on update; at most 16 KB.';

-- -----------------------------------------------------------------------------------------------------
-- MODEL CONFIGURATIONS: client-side providers
-- -----------------------------------------------------------------------------------------------------

alter table public.model_configs drop constraint if exists model_configs_provider_supported;
alter table public.model_configs add constraint model_configs_provider_supported check (provider in (
  'openai', 'groq', 'openrouter', 'imagerouter', 'anthropic', 'deepseek', 'mistral', 'openai_compatible',
  -- run on the user's device by the app; saved here so they sync, never called by the server
  'ollama', 'lmstudio'
));

alter table public.model_configs drop constraint if exists model_configs_client_side_has_no_provider_row;
alter table public.model_configs add constraint model_configs_client_side_has_no_provider_row
  check (provider not in ('ollama', 'lmstudio') or provider_id is null);

-- -----------------------------------------------------------------------------------------------------
-- ERASING AN ACCOUNT NOW
-- -----------------------------------------------------------------------------------------------------

-- Deletes the Auth user (and by cascade every row of theirs; the providers' triggers remove their
-- Vault secrets) and returns the account's Storage objects (every bucket keeps a user's files under
-- `<user id>/`): SQL cannot delete Storage's files, so the caller removes them through the Storage
-- API. The user's tokens stop working with the row (private.assert_live_user).
create or replace function private.erase_account(p_user_id uuid)
returns table (bucket_id text, name text)
language plpgsql
security definer
set search_path = ''
as $$
begin
  return query
    select o.bucket_id, o.name
    from storage.objects o
    where o.name like p_user_id::text || '/%';
  delete from auth.users u where u.id = p_user_id;
end
$$;

revoke execute on function private.erase_account(uuid) from public, anon, authenticated;
grant execute on function private.erase_account(uuid) to service_role;
