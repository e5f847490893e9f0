-- =====================================================================================================
-- PocketLLM: providers and their API keys in Vault
-- A user's configuration per LLM provider. The API key itself never sits in a table column: it is a
-- Vault secret written and read only through the security definer functions below (service_role
-- only); the row keeps the secret's id, a preview and a SHA-256 hash. Deleting a provider, or the
-- user, deletes the secret.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

-- ProviderConfiguration (API.md "Providers").
create table if not exists public.providers (
  -- ID
  id uuid primary key default gen_random_uuid(),

  -- RELATIONSHIPS
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,

  -- REQUIRED
  provider text not null,
  is_active boolean not null default true,
  metadata jsonb not null default '{}'::jsonb,

  -- OPTIONAL
  display_name text,
  base_url text,

  -- API KEY (server-owned): where the Vault secret is, and what may be shown of it
  vault_secret_id uuid,
  api_key_preview text,
  api_key_hash text,
  has_api_key boolean generated always as (vault_secret_id is not null) stored,

  -- VALIDATION: the last check of the key against the provider
  validation_status text not null default 'unvalidated',
  validation_error text,
  last_validated_at timestamptz,

  -- METADATA
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint providers_user_id_provider_key unique (user_id, provider),
  -- Target of the (provider_id, user_id) foreign key from model_configs: a model can only use a
  -- provider of the same user.
  constraint providers_id_user_id_key unique (id, user_id),
  constraint providers_vault_secret_id_key unique (vault_secret_id),
  constraint providers_provider_supported check (provider in (
    'openai', 'groq', 'openrouter', 'imagerouter', 'anthropic', 'deepseek', 'mistral', 'openai_compatible'
  )),
  constraint providers_display_name_length check (char_length(display_name) between 1 and 120),
  constraint providers_base_url_is_http check (char_length(base_url) <= 2048 and base_url ~* '^https?://'),
  constraint providers_openai_compatible_has_base_url check (provider <> 'openai_compatible' or base_url is not null),
  constraint providers_metadata_is_object check (jsonb_typeof(metadata) = 'object'),
  constraint providers_api_key_columns_together check (
    (vault_secret_id is null and api_key_preview is null and api_key_hash is null)
    or (vault_secret_id is not null and api_key_preview is not null and api_key_hash is not null)
  ),
  constraint providers_api_key_preview_length check (char_length(api_key_preview) <= 4096),
  constraint providers_api_key_hash_is_sha256 check (api_key_hash ~ '^[0-9a-f]{64}$'),
  constraint providers_validation_status_valid check (validation_status in ('unvalidated', 'valid', 'invalid')),
  constraint providers_validation_error_length check (char_length(validation_error) <= 2000)
);

comment on table public.providers is 'A user''s LLM provider configuration; the API key is a Vault secret (never a column).';
comment on column public.providers.vault_secret_id is 'vault.secrets id of the API key; set only by private.store_provider_key().';
comment on column public.providers.api_key_preview is 'First 4 + one * per hidden character + last 4 (all * when the key is 8 characters or fewer).';
comment on column public.providers.api_key_hash is 'Hex SHA-256 of the API key (cache keys, change detection); not reversible.';

-- -----------------------------------------------------------------------------------------------------
-- INDEXES
-- -----------------------------------------------------------------------------------------------------

-- user_id (foreign key, RLS filter, list order by provider) is covered by providers_user_id_provider_key.

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.providers enable row level security;

drop policy if exists "Users can view their own providers" on public.providers;
create policy "Users can view their own providers" on public.providers
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "Users can add their own providers" on public.providers;
create policy "Users can add their own providers" on public.providers
  for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can update their own providers" on public.providers;
create policy "Users can update their own providers" on public.providers
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can delete their own providers" on public.providers;
create policy "Users can delete their own providers" on public.providers
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- The Vault secret name of a user's key for one provider (unique in vault.secrets).
create or replace function private.provider_secret_name(p_user_id uuid, p_provider text)
returns text
language sql
immutable
set search_path = ''
as $$
  select 'pocketllm/provider_api_key/' || p_user_id::text || '/' || p_provider
$$;

-- What may be shown of a key: first 4, one * per hidden character, last 4; all * when 8 or fewer.
create or replace function private.api_key_preview(p_api_key text)
returns text
language sql
immutable
set search_path = ''
as $$
  select case
    when char_length(p_api_key) <= 8 then repeat('*', char_length(p_api_key))
    else left(p_api_key, 4) || repeat('*', char_length(p_api_key) - 8) || right(p_api_key, 4)
  end
$$;

-- Stores a provider's API key in Vault (creating the secret, or overwriting the existing one) and
-- records its id, preview and hash on the provider row. The row must exist. Returns the secret id.
create or replace function private.store_provider_key(p_user_id uuid, p_provider text, p_api_key text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_provider_id uuid;
  v_current_secret uuid;
  v_name text := private.provider_secret_name(p_user_id, p_provider);
  v_secret_id uuid;
begin
  if p_api_key is null or char_length(p_api_key) not between 16 and 4096 then
    raise exception 'an API key must be 16 to 4096 characters long' using errcode = '22023';
  end if;

  select p.id, p.vault_secret_id into v_provider_id, v_current_secret
  from public.providers p
  where p.user_id = p_user_id and p.provider = p_provider
  for update;
  if v_provider_id is null then
    raise exception 'provider "%" is not configured for this user', p_provider using errcode = 'P0002';
  end if;

  -- Reuse the provider's secret, else one left under its name, else create one.
  select s.id into v_secret_id from vault.secrets s where s.id = v_current_secret;
  if v_secret_id is null then
    select s.id into v_secret_id from vault.secrets s where s.name = v_name;
  end if;
  if v_secret_id is null then
    v_secret_id := vault.create_secret(p_api_key, v_name, 'PocketLLM provider API key');
  else
    perform vault.update_secret(v_secret_id, p_api_key, v_name);
  end if;

  update public.providers
  set vault_secret_id = v_secret_id,
      api_key_preview = private.api_key_preview(p_api_key),
      api_key_hash = encode(extensions.digest(p_api_key, 'sha256'), 'hex')
  where id = v_provider_id;
  return v_secret_id;
end
$$;

-- Replaces the key of a provider that already has one, in place (same secret id). Raises P0002 when
-- the provider or its key does not exist. Returns the secret id.
create or replace function private.rotate_provider_key(p_user_id uuid, p_provider text, p_new_api_key text)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_secret_id uuid;
begin
  select s.id into v_secret_id
  from public.providers p
  join vault.secrets s on s.id = p.vault_secret_id
  where p.user_id = p_user_id and p.provider = p_provider
  for update of p;
  if v_secret_id is null then
    raise exception 'provider "%" has no stored API key to rotate', p_provider using errcode = 'P0002';
  end if;
  return private.store_provider_key(p_user_id, p_provider, p_new_api_key);
end
$$;

-- The decrypted API key of a user's provider, or NULL when there is none. The secret must carry the
-- name derived from (user, provider), so a row can never be pointed at someone else's secret.
create or replace function private.get_provider_key(p_user_id uuid, p_provider text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select s.decrypted_secret
  from public.providers p
  join vault.decrypted_secrets s on s.id = p.vault_secret_id
  where p.user_id = p_user_id
    and p.provider = p_provider
    and s.name = private.provider_secret_name(p_user_id, p_provider)
$$;

-- Removes a provider's key: deletes the Vault secret and clears the row's key columns (the row stays).
-- Returns true when a key was removed.
create or replace function private.delete_provider_key(p_user_id uuid, p_provider text)
returns boolean
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_cleared integer;
  v_orphans integer;
begin
  -- The providers_delete_vault_secret trigger deletes the secret the row pointed at.
  update public.providers
  set vault_secret_id = null, api_key_preview = null, api_key_hash = null
  where user_id = p_user_id and provider = p_provider and vault_secret_id is not null;
  get diagnostics v_cleared = row_count;
  delete from vault.secrets where name = private.provider_secret_name(p_user_id, p_provider);
  get diagnostics v_orphans = row_count;
  return v_cleared + v_orphans > 0;
end
$$;

-- AFTER DELETE / AFTER UPDATE OF vault_secret_id on providers: the secret the row no longer points at
-- is deleted (covers a provider deleted directly and, by cascade, a deleted user).
create or replace function private.providers_delete_vault_secret()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  if old.vault_secret_id is not null
     and (tg_op = 'DELETE' or old.vault_secret_id is distinct from new.vault_secret_id) then
    delete from vault.secrets where id = old.vault_secret_id;
  end if;
  return null;
end
$$;

-- AFTER DELETE on auth.users: any provider secret still named after the user goes too (the cascade
-- through providers normally took them already).
create or replace function private.handle_deleted_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from vault.secrets
  where name like 'pocketllm/provider_api_key/' || old.id::text || '/%';
  return null;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

create or replace trigger providers_set_updated_at
  before update on public.providers
  for each row execute function private.set_updated_at();

-- Clients never set or change the key columns (only the Vault functions do), nor ownership.
create or replace trigger providers_protect_key_columns
  before insert on public.providers
  for each row execute function private.protect_columns('vault_secret_id', 'api_key_preview', 'api_key_hash');

create or replace trigger providers_protect_columns
  before update on public.providers
  for each row execute function private.protect_columns(
    'id', 'user_id', 'provider', 'created_at', 'vault_secret_id', 'api_key_preview', 'api_key_hash'
  );

create or replace trigger providers_delete_vault_secret
  after delete or update of vault_secret_id on public.providers
  for each row execute function private.providers_delete_vault_secret();

create or replace trigger on_auth_user_deleted
  after delete on auth.users
  for each row execute function private.handle_deleted_user();

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.providers from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.providers to authenticated;
grant select, insert, update, delete on table public.providers to service_role;

-- The Vault functions: service_role only (the server reads a key at the moment it calls a provider).
revoke execute on function private.store_provider_key(uuid, text, text) from public, anon, authenticated;
revoke execute on function private.rotate_provider_key(uuid, text, text) from public, anon, authenticated;
revoke execute on function private.get_provider_key(uuid, text) from public, anon, authenticated;
revoke execute on function private.delete_provider_key(uuid, text) from public, anon, authenticated;
grant execute on function private.store_provider_key(uuid, text, text) to service_role;
grant execute on function private.rotate_provider_key(uuid, text, text) to service_role;
grant execute on function private.get_provider_key(uuid, text) to service_role;
grant execute on function private.delete_provider_key(uuid, text) to service_role;

revoke execute on function private.provider_secret_name(uuid, text) from public, anon, authenticated;
revoke execute on function private.api_key_preview(text) from public, anon, authenticated;
grant execute on function private.api_key_preview(text) to service_role;
revoke execute on function private.providers_delete_vault_secret() from public, anon, authenticated, service_role;
revoke execute on function private.handle_deleted_user() from public, anon, authenticated, service_role;
