-- =====================================================================================================
-- PocketLLM: conversations as trees (API.md "Conversations as trees").
--
-- - messages.parent_id: the message this one follows (null for a first message), in the same chat
--   (composite foreign key); deleting a message deletes the branch under it.
-- - chats.active_leaf_id: the end of the branch the chat shows; the history sent to a provider and
--   what GET returns follow the path from the root to it.
-- - A message inserted without a parent continues the active branch (the chat row is locked, so
--   concurrent appends queue up instead of forking), unless its transaction set `pocketllm.new_root`
--   (an edit of a chat's first message: a new root beside the old). Every inserted message becomes the
--   chat's active leaf at once (so the rows of one multi-row insert chain), and the chat's `updated_at`
--   moves: both in the row trigger, which replaces the statement trigger messages_touch_chat. The leaf's
--   foreign key is checked at commit, since the chat names the message before its row exists.
-- Existing chats become single lines: each message's parent is the one before it.
-- =====================================================================================================

alter table public.messages add column if not exists parent_id uuid;
alter table public.chats add column if not exists active_leaf_id uuid;

create unique index if not exists messages_chat_id_id_key on public.messages (chat_id, id);
-- A message's siblings (same parent), oldest first; roots are the chat's messages without a parent.
create index if not exists messages_chat_id_parent_id_idx on public.messages (chat_id, parent_id, created_at, id);

-- Existing conversations: one line each.
with ordered as (
  select id, lag(id) over (partition by chat_id order by created_at, id) as previous
    from public.messages
)
update public.messages m set parent_id = o.previous
  from ordered o
 where o.id = m.id and o.previous is not null and m.parent_id is null;

update public.chats c set active_leaf_id = (
  select m.id from public.messages m where m.chat_id = c.id order by m.created_at desc, m.id desc limit 1
)
where c.active_leaf_id is null;

alter table public.messages
  add constraint messages_parent_fkey foreign key (chat_id, parent_id)
  references public.messages (chat_id, id) on delete cascade;
alter table public.chats
  add constraint chats_active_leaf_fkey foreign key (id, active_leaf_id)
  references public.messages (chat_id, id) on delete set null (active_leaf_id)
  deferrable initially deferred;

-- Covers the leaf's foreign key (deleting a message looks its chats up by it).
create index if not exists chats_id_active_leaf_id_idx on public.chats (id, active_leaf_id);

comment on column public.messages.parent_id is 'The message this one follows (null: a first message); same chat.';
comment on column public.chats.active_leaf_id is 'The end of the branch the chat shows (the newest message written, or the one chosen).';

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- BEFORE INSERT on messages: a message without a parent continues the chat's active branch; every
-- message becomes the active leaf, and the chat is "recently updated".
create or replace function private.messages_continue_branch()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_leaf uuid;
begin
  select c.active_leaf_id into v_leaf from public.chats c where c.id = new.chat_id for update;
  if new.parent_id is null and coalesce(current_setting('pocketllm.new_root', true), '') <> 'true' then
    new.parent_id := v_leaf;
  end if;
  update public.chats set active_leaf_id = new.id, updated_at = now() where id = new.chat_id;
  return new;
end
$$;

drop trigger if exists messages_touch_chat on public.messages;
drop function if exists private.messages_touch_chat();

create or replace trigger messages_continue_branch
  before insert on public.messages
  for each row execute function private.messages_continue_branch();

-- Clients may not move a message to another branch.
create or replace trigger messages_protect_columns
  before update on public.messages
  for each row execute function private.protect_columns('id', 'chat_id', 'role', 'created_at', 'parent_id');

revoke execute on function private.messages_continue_branch() from public, anon, authenticated, service_role;
