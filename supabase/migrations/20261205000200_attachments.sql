-- =====================================================================================================
-- PocketLLM: attachments (images and text files sent with a message)
-- Rows in `public.attachments` under RLS; the bytes in the private bucket `attachments` at
-- `<user id>/<attachment id>`, a path derived from the row (never stored), so a row can only ever name
-- a file of its owner's. The API inserts a row and uploads the file in one transaction, then links it
-- to a message. Never-linked rows expire after 24 hours, and files whose row is gone (expired, the
-- chat or message deleted, the account purged) are removed by the worker's hourly storage sweep;
-- erasing an account lists them already (`<user id>/...`).
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

create table if not exists public.attachments (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null default auth.uid() references auth.users (id) on delete cascade,
  chat_id uuid references public.chats (id) on delete cascade,
  message_id uuid references public.messages (id) on delete cascade,
  kind text not null,
  mime_type text not null,
  name text not null default '',
  size integer not null,
  created_at timestamptz not null default now(),
  constraint attachments_kind_valid check (kind in ('image', 'text')),
  constraint attachments_name_length check (char_length(name) <= 255),
  constraint attachments_size_valid check (size > 0 and size <= 10 * 1024 * 1024)
);

create index if not exists attachments_user_id_idx on public.attachments (user_id);
create index if not exists attachments_chat_id_idx on public.attachments (chat_id);
create index if not exists attachments_message_id_idx on public.attachments (message_id);
-- The expiry walks the never-linked rows only.
create index if not exists attachments_unlinked_idx on public.attachments (created_at) where message_id is null;

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.attachments enable row level security;

drop policy if exists "Owners can read their attachments" on public.attachments;
create policy "Owners can read their attachments" on public.attachments
  for select to authenticated
  using (user_id = (select auth.uid()));

-- A chat or message named must be the owner's own.
drop policy if exists "Owners can add attachments" on public.attachments;
create policy "Owners can add attachments" on public.attachments
  for insert to authenticated
  with check (
    user_id = (select auth.uid())
    and (chat_id is null or exists (select 1 from public.chats c where c.id = chat_id and c.user_id = (select auth.uid())))
    and message_id is null
  );

drop policy if exists "Owners can link their attachments" on public.attachments;
create policy "Owners can link their attachments" on public.attachments
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (
    user_id = (select auth.uid())
    and (chat_id is null or exists (select 1 from public.chats c where c.id = chat_id and c.user_id = (select auth.uid())))
    and (message_id is null or exists (
      select 1 from public.messages m join public.chats c on c.id = m.chat_id
      where m.id = message_id and c.user_id = (select auth.uid())))
  );

-- Storage: the owner may read (download, sign) their own folder; only the API writes (service role).
drop policy if exists "Owners can read their attachment files" on storage.objects;
create policy "Owners can read their attachment files" on storage.objects
  for select to authenticated
  using (bucket_id = 'attachments' and (storage.foldername(name))[1] = (select auth.uid())::text);

-- -----------------------------------------------------------------------------------------------------
-- BUCKET
-- -----------------------------------------------------------------------------------------------------

insert into storage.buckets (id, name, public, file_size_limit)
values ('attachments', 'attachments', false, 10 * 1024 * 1024)
on conflict (id) do update
set public = excluded.public,
    file_size_limit = excluded.file_size_limit;

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- The hourly sweep's part for attachments: deletes rows never linked to a message within 24 hours,
-- then returns up to p_limit files of the bucket whose row is gone (names of another shape are
-- never returned).
create or replace function private.sweep_attachments(p_limit integer default 1000)
returns setof text
language plpgsql
security definer
set search_path = ''
as $$
begin
  delete from public.attachments a
  where a.message_id is null and a.created_at < now() - interval '24 hours';
  return query
    with objects as (
      select o.name, o.created_at,
             case when o.name ~ '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$'
                  then split_part(o.name, '/', 2)::uuid end as attachment_id
      from storage.objects o
      where o.bucket_id = 'attachments'
    )
    select objects.name
    from objects
    where objects.attachment_id is not null
      and not exists (select 1 from public.attachments a where a.id = objects.attachment_id)
    order by objects.created_at
    limit greatest(p_limit, 0);
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

create or replace trigger attachments_stamp_server_times
  before insert on public.attachments
  for each row execute function private.stamp_server_times();

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.attachments from public, anon, authenticated, service_role;
-- Ids, owners, kinds, types, sizes and times are the server's: only these columns are written by users.
grant select on table public.attachments to authenticated;
grant insert (chat_id, kind, mime_type, name, size) on table public.attachments to authenticated;
grant update (chat_id, message_id) on table public.attachments to authenticated;
grant select, insert, update, delete on table public.attachments to service_role;

revoke execute on function private.sweep_attachments(integer) from public, anon, authenticated;
grant execute on function private.sweep_attachments(integer) to service_role;
