-- =====================================================================================================
-- PocketLLM: chats and messages
-- A chat belongs to a user and may use one of that user's saved models; its messages belong to it
-- (and go with it). Access to a message is decided by its chat's owner. Adding a message bumps the
-- chat's `updated_at`, which orders the chat list.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

-- ChatSummary (API.md "Chats").
create table if not exists public.chats (
  -- ID
  id uuid primary key default gen_random_uuid(),

  -- RELATIONSHIPS
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  -- Always one of the same user's models (composite key); deleting the model clears it.
  model_config_id uuid,

  -- REQUIRED
  title text not null default 'Untitled chat',

  -- METADATA
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint chats_model_config_fkey foreign key (model_config_id, user_id)
    references public.model_configs (id, user_id) on delete set null (model_config_id),
  constraint chats_title_length check (char_length(title) between 1 and 120)
);

comment on table public.chats is 'A user''s conversation (API ChatSummary).';

-- Message (API.md "Chats").
create table if not exists public.messages (
  -- ID
  id uuid primary key default gen_random_uuid(),

  -- RELATIONSHIPS
  chat_id uuid not null references public.chats (id) on delete cascade,

  -- REQUIRED
  role text not null default 'user',
  content text not null,
  metadata jsonb not null default '{}'::jsonb,

  -- METADATA
  created_at timestamptz not null default now(),

  constraint messages_role_valid check (role in ('user', 'assistant', 'system')),
  -- A user's message has at least one character (MessageCreate); a reply cut short may be empty.
  constraint messages_user_content_not_empty check (role <> 'user' or char_length(content) >= 1),
  constraint messages_content_length check (char_length(content) <= 1000000),
  constraint messages_metadata_is_object check (jsonb_typeof(metadata) = 'object')
);

comment on table public.messages is 'A message of a chat (API Message); visible to the chat''s owner only.';

-- -----------------------------------------------------------------------------------------------------
-- INDEXES
-- -----------------------------------------------------------------------------------------------------

-- GET /v1/chats: a user's chats, most recently updated first (user_id is also the foreign key).
create index if not exists chats_user_id_updated_at_idx on public.chats (user_id, updated_at desc, id desc);

-- Foreign key to model_configs (model_config_id, user_id).
create index if not exists chats_model_config_id_user_id_idx on public.chats (model_config_id, user_id);

-- GET /v1/chats/{id}/messages: oldest first (chat_id is also the foreign key).
create index if not exists messages_chat_id_created_at_idx on public.messages (chat_id, created_at, id);

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.chats enable row level security;
alter table public.messages enable row level security;

drop policy if exists "Users can view their own chats" on public.chats;
create policy "Users can view their own chats" on public.chats
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "Users can create their own chats" on public.chats;
create policy "Users can create their own chats" on public.chats
  for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can update their own chats" on public.chats;
create policy "Users can update their own chats" on public.chats
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can delete their own chats" on public.chats;
create policy "Users can delete their own chats" on public.chats
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- Messages: allowed when the message's chat is one of the caller's chats.
drop policy if exists "Users can view messages of their own chats" on public.messages;
create policy "Users can view messages of their own chats" on public.messages
  for select to authenticated
  using (chat_id in (select c.id from public.chats c where c.user_id = (select auth.uid())));

drop policy if exists "Users can add messages to their own chats" on public.messages;
create policy "Users can add messages to their own chats" on public.messages
  for insert to authenticated
  with check (chat_id in (select c.id from public.chats c where c.user_id = (select auth.uid())));

drop policy if exists "Users can update messages of their own chats" on public.messages;
create policy "Users can update messages of their own chats" on public.messages
  for update to authenticated
  using (chat_id in (select c.id from public.chats c where c.user_id = (select auth.uid())))
  with check (chat_id in (select c.id from public.chats c where c.user_id = (select auth.uid())));

drop policy if exists "Users can delete messages of their own chats" on public.messages;
create policy "Users can delete messages of their own chats" on public.messages
  for delete to authenticated
  using (chat_id in (select c.id from public.chats c where c.user_id = (select auth.uid())));

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- AFTER INSERT on messages (per statement): every chat that got a message is now "recently updated".
create or replace function private.messages_touch_chat()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.chats c
  set updated_at = now()
  where c.id in (select distinct m.chat_id from inserted_messages m);
  return null;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

create or replace trigger chats_set_updated_at
  before update on public.chats
  for each row execute function private.set_updated_at();

create or replace trigger chats_protect_columns
  before update on public.chats
  for each row execute function private.protect_columns('id', 'user_id', 'created_at');

create or replace trigger messages_protect_columns
  before update on public.messages
  for each row execute function private.protect_columns('id', 'chat_id', 'role', 'created_at');

create or replace trigger messages_touch_chat
  after insert on public.messages
  referencing new table as inserted_messages
  for each statement execute function private.messages_touch_chat();

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.chats, public.messages from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.chats, public.messages to authenticated;
grant select, insert, update, delete on table public.chats, public.messages to service_role;

revoke execute on function private.messages_touch_chat() from public, anon, authenticated, service_role;
