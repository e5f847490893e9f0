-- =====================================================================================================
-- PocketLLM: shared conversations (API.md "Sharing a conversation")
-- A share is a read-only snapshot of one chat (its title; each message's role, content and time) that
-- anyone holding its link may read. The owner makes, replaces and revokes it through the API as
-- themselves (RLS); the public page reads it with the service role, by its unguessable share_id only.
-- =====================================================================================================

create table if not exists public.chat_shares (
  -- ID: 32 random bytes (two v4 UUIDs, 244 random bits) in base64url, always made by the server.
  share_id text primary key,

  -- RELATIONSHIPS: one share per chat; it goes with the chat.
  chat_id uuid not null unique references public.chats (id) on delete cascade,
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,

  -- REQUIRED: the snapshot, with nothing of the owner but the chat's words.
  title text not null,
  messages jsonb not null default '[]'::jsonb,

  -- METADATA: first shared; the snapshot taken (sharing again replaces it).
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint chat_shares_messages_is_array check (jsonb_typeof(messages) = 'array')
);

comment on table public.chat_shares is 'A public read-only snapshot of a chat, reached by its share_id.';

create index if not exists chat_shares_user_id_idx on public.chat_shares (user_id);

-- -----------------------------------------------------------------------------------------------------
-- RLS: the owner manages their own chats' shares; nobody else reads them through the Data API.
-- -----------------------------------------------------------------------------------------------------

alter table public.chat_shares enable row level security;

drop policy if exists "Users can view their own shares" on public.chat_shares;
create policy "Users can view their own shares" on public.chat_shares
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "Users can share their own chats" on public.chat_shares;
create policy "Users can share their own chats" on public.chat_shares
  for insert to authenticated
  with check (user_id = (select auth.uid())
              and chat_id in (select c.id from public.chats c where c.user_id = (select auth.uid())));

drop policy if exists "Users can update their own shares" on public.chat_shares;
create policy "Users can update their own shares" on public.chat_shares
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can revoke their own shares" on public.chat_shares;
create policy "Users can revoke their own shares" on public.chat_shares
  for delete to authenticated
  using (user_id = (select auth.uid()));

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS AND TRIGGERS
-- -----------------------------------------------------------------------------------------------------

-- BEFORE INSERT: the share_id is always the server's (a chosen one could be guessed).
create or replace function private.chat_shares_new_id()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.share_id := rtrim(translate(encode(uuid_send(gen_random_uuid()) || uuid_send(gen_random_uuid()),
    'base64'), '+/', '-_'), '=');
  return new;
end
$$;

revoke execute on function private.chat_shares_new_id() from public, anon, authenticated, service_role;

create or replace trigger chat_shares_new_id
  before insert on public.chat_shares
  for each row execute function private.chat_shares_new_id();

create or replace trigger chat_shares_stamp_server_times
  before insert on public.chat_shares
  for each row execute function private.stamp_server_times();

create or replace trigger chat_shares_set_updated_at
  before update on public.chat_shares
  for each row execute function private.set_updated_at();

create or replace trigger chat_shares_protect_columns
  before update on public.chat_shares
  for each row execute function private.protect_columns('share_id', 'chat_id', 'user_id', 'created_at');

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.chat_shares from public, anon, authenticated, service_role;
grant select, insert, update, delete on table public.chat_shares to authenticated;
grant select on table public.chat_shares to service_role;
