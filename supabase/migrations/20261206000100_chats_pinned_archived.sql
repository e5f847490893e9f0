-- =====================================================================================================
-- PocketLLM: organising chats — pinned and archived (API.md "Finding and organising chats")
-- GET /v1/chats lists pinned chats first, then by `updated_at`; archived chats are listed only when
-- asked for. Pinning or archiving a chat is not "updating" it: its `updated_at` stays, so it keeps its
-- place among the chats of its kind.
-- =====================================================================================================

alter table public.chats
  add column if not exists pinned boolean not null default false,
  add column if not exists archived boolean not null default false;

-- GET /v1/chats[?archived=true]: one kind (archived or not), pinned first, newest first, keyset paged.
create index if not exists chats_user_id_archived_pinned_updated_at_idx
  on public.chats (user_id, archived, pinned desc, updated_at desc, id desc);

-- Replaces chats_set_updated_at's function for chats only: a change of nothing but the flags keeps
-- `updated_at` (messages_touch_chat and renames still move it).
create or replace function private.chats_set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  if (new.pinned, new.archived) is distinct from (old.pinned, old.archived)
     and (to_jsonb(new) - 'pinned' - 'archived' - 'updated_at')
         = (to_jsonb(old) - 'pinned' - 'archived' - 'updated_at') then
    new.updated_at := old.updated_at;
  else
    new.updated_at := now();
  end if;
  return new;
end
$$;

revoke execute on function private.chats_set_updated_at() from public, anon, authenticated, service_role;

create or replace trigger chats_set_updated_at
  before update on public.chats
  for each row execute function private.chats_set_updated_at();
