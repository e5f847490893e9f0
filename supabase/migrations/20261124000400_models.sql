-- =====================================================================================================
-- PocketLLM: model configurations
-- A user's saved models (imported from a provider's catalogue), with generation settings. A name is
-- unique per user, and at most one configuration per user is the default (a partial unique index).
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

-- ModelConfiguration (API.md "Models"); `settings` are columns so that each limit is a constraint.
create table if not exists public.model_configs (
  -- ID
  id uuid primary key default gen_random_uuid(),

  -- RELATIONSHIPS
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  -- The provider row this model runs on: always one of the same user's providers (composite key);
  -- deleting that provider keeps the configuration with provider_id cleared.
  provider_id uuid,

  -- REQUIRED
  provider text not null,
  name text not null,
  model text not null,
  is_default boolean not null default false,
  is_active boolean not null default true,

  -- OPTIONAL
  display_name text,
  description text,

  -- SETTINGS (API defaults and ranges)
  temperature double precision not null default 0.7,
  max_tokens integer not null default 2048,
  top_p double precision not null default 1.0,
  frequency_penalty double precision not null default 0,
  presence_penalty double precision not null default 0,
  system_prompt text,
  metadata jsonb not null default '{}'::jsonb,

  -- METADATA
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint model_configs_provider_fkey foreign key (provider_id, user_id)
    references public.providers (id, user_id) on delete set null (provider_id),
  -- Target of the (model_config_id, user_id) foreign key from chats.
  constraint model_configs_id_user_id_key unique (id, user_id),
  constraint model_configs_user_id_name_key unique (user_id, name),
  constraint model_configs_provider_supported check (provider in (
    'openai', 'groq', 'openrouter', 'imagerouter', 'anthropic', 'deepseek', 'mistral', 'openai_compatible'
  )),
  constraint model_configs_name_length check (char_length(name) between 1 and 200),
  constraint model_configs_model_length check (char_length(model) between 1 and 200),
  constraint model_configs_display_name_length check (char_length(display_name) <= 200),
  constraint model_configs_description_length check (char_length(description) <= 2000),
  constraint model_configs_temperature_range check (temperature between 0 and 2),
  constraint model_configs_max_tokens_min check (max_tokens >= 16),
  constraint model_configs_top_p_range check (top_p between 0 and 1),
  constraint model_configs_frequency_penalty_range check (frequency_penalty between 0 and 2),
  constraint model_configs_presence_penalty_range check (presence_penalty between 0 and 2),
  constraint model_configs_system_prompt_length check (char_length(system_prompt) <= 20000),
  constraint model_configs_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);

comment on table public.model_configs is 'A user''s saved model configurations (API ModelConfiguration); at most one default per user.';

-- -----------------------------------------------------------------------------------------------------
-- INDEXES
-- -----------------------------------------------------------------------------------------------------

-- At most one default model per user (setting a default clears the previous one in the same transaction).
create unique index if not exists model_configs_one_default_per_user
  on public.model_configs (user_id)
  where is_default;

-- GET /v1/models/saved lists a user's models oldest first (user_id is also the foreign key).
create index if not exists model_configs_user_id_created_at_idx on public.model_configs (user_id, created_at, id);

-- Foreign key to providers (provider_id, user_id).
create index if not exists model_configs_provider_id_user_id_idx on public.model_configs (provider_id, user_id);

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.model_configs enable row level security;

drop policy if exists "Users can view their own models" on public.model_configs;
create policy "Users can view their own models" on public.model_configs
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "Users can add their own models" on public.model_configs;
create policy "Users can add their own models" on public.model_configs
  for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can update their own models" on public.model_configs;
create policy "Users can update their own models" on public.model_configs
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can delete their own models" on public.model_configs;
create policy "Users can delete their own models" on public.model_configs
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

create or replace trigger model_configs_set_updated_at
  before update on public.model_configs
  for each row execute function private.set_updated_at();

create or replace trigger model_configs_protect_columns
  before update on public.model_configs
  for each row execute function private.protect_columns('id', 'user_id', 'created_at');

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.model_configs from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.model_configs to authenticated;
grant select, insert, update, delete on table public.model_configs to service_role;
