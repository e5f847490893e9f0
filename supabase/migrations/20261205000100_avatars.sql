-- =====================================================================================================
-- PocketLLM: avatars
-- A public bucket `user-assets` holding `profiles/<user id>/avatar-<timestamp>.<ext>`: anyone may
-- download an avatar by its public URL (public buckets bypass RLS for that), but only the owner may
-- write, list or delete under their own `profiles/<id>/` folder. The API uploads as the user, so these
-- policies are what hold it. Erasing an account now lists these files as well.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- BUCKET
-- -----------------------------------------------------------------------------------------------------

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('user-assets', 'user-assets', true, 5 * 1024 * 1024,
        array['image/png', 'image/jpeg', 'image/webp', 'image/heic'])
on conflict (id) do update
set public = excluded.public,
    file_size_limit = excluded.file_size_limit,
    allowed_mime_types = excluded.allowed_mime_types;

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

-- `profiles/<own id>/...`: the first folder is `profiles`, the second the caller's id.
drop policy if exists "Owners can read their profile assets" on storage.objects;
create policy "Owners can read their profile assets" on storage.objects
  for select to authenticated
  using (bucket_id = 'user-assets' and (storage.foldername(name))[1:2] = array['profiles', (select auth.uid())::text]);

drop policy if exists "Owners can upload profile assets" on storage.objects;
create policy "Owners can upload profile assets" on storage.objects
  for insert to authenticated
  with check (bucket_id = 'user-assets' and (storage.foldername(name))[1:2] = array['profiles', (select auth.uid())::text]);

drop policy if exists "Owners can replace their profile assets" on storage.objects;
create policy "Owners can replace their profile assets" on storage.objects
  for update to authenticated
  using (bucket_id = 'user-assets' and (storage.foldername(name))[1:2] = array['profiles', (select auth.uid())::text])
  with check (bucket_id = 'user-assets' and (storage.foldername(name))[1:2] = array['profiles', (select auth.uid())::text]);

drop policy if exists "Owners can delete their profile assets" on storage.objects;
create policy "Owners can delete their profile assets" on storage.objects
  for delete to authenticated
  using (bucket_id = 'user-assets' and (storage.foldername(name))[1:2] = array['profiles', (select auth.uid())::text]);

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- As before (20261202000100), plus the files under `profiles/<user id>/`.
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
    where o.name like p_user_id::text || '/%'
       or o.name like 'profiles/' || p_user_id::text || '/%';
  delete from auth.users u where u.id = p_user_id;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke execute on function private.erase_account(uuid) from public, anon, authenticated;
grant execute on function private.erase_account(uuid) to service_role;
