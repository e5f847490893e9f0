-- =====================================================================================================
-- PocketLLM: Storage for generated images
-- A private bucket `job-images` holding `<user_id>/<job_id>/<n>.<ext>`. Only the worker writes it
-- (service role, which bypasses RLS); an owner may read their own folder (signed URLs are made by the
-- API when a job is read). Files follow their job: when a job row is gone (deleted, or cascaded away
-- with a purged account) its folder is an orphan, and the worker's storage sweep deletes it through
-- the Storage API (SQL cannot delete Storage's files). The sweep runs hourly, after the purge.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- BUCKET
-- -----------------------------------------------------------------------------------------------------

insert into storage.buckets (id, name, public, file_size_limit, allowed_mime_types)
values ('job-images', 'job-images', false, 20 * 1024 * 1024, array['image/png', 'image/jpeg', 'image/webp', 'image/gif'])
on conflict (id) do update
set public = excluded.public,
    file_size_limit = excluded.file_size_limit,
    allowed_mime_types = excluded.allowed_mime_types;

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

-- Reading is enough for downloads and for signing URLs as the owner; no insert/update/delete policy:
-- images are the worker's to write and the sweep's to delete.
drop policy if exists "Owners can view their job images" on storage.objects;
create policy "Owners can view their job images" on storage.objects
  for select to authenticated
  using (bucket_id = 'job-images' and (storage.foldername(name))[1] = (select auth.uid())::text);

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- Objects in job-images whose job no longer exists (deleted, or purged with its account), oldest
-- first, at most p_limit. Names that are not `<uuid>/<uuid>/...` are never returned.
create or replace function private.orphaned_job_images(p_limit integer default 1000)
returns setof text
language sql
stable
security definer
set search_path = ''
as $$
  with objects as (
    -- CASE, so that only names of the right shape are ever cast to uuid.
    select o.name, o.created_at,
           case when o.name ~ '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/'
                then split_part(o.name, '/', 1)::uuid end as user_id,
           case when o.name ~ '^[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}/'
                then split_part(o.name, '/', 2)::uuid end as job_id
    from storage.objects o
    where o.bucket_id = 'job-images'
  )
  select objects.name
  from objects
  where objects.job_id is not null
    and not exists (
      select 1 from public.jobs j where j.id = objects.job_id and j.user_id = objects.user_id
    )
  order by objects.created_at
  limit greatest(p_limit, 0)
$$;

-- -----------------------------------------------------------------------------------------------------
-- SCHEDULES
-- -----------------------------------------------------------------------------------------------------

-- Every hour, ten minutes after the account purge: wake the worker to delete orphaned images.
select cron.schedule(
  'pocketllm-sweep-job-images',
  '17 * * * *',
  $$select private.wake_worker('storage_sweep')$$
);

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke execute on function private.orphaned_job_images(integer) from public, anon, authenticated;
grant execute on function private.orphaned_job_images(integer) to service_role;
