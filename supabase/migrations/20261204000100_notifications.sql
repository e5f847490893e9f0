-- =====================================================================================================
-- PocketLLM: in-app notifications and their preferences (API-LATER.md §4, §5).
--
-- Notifications are created in the database, so that no path can miss one: an image job ending
-- completed or failed (statement trigger on jobs, whichever function finished it), an account deletion being
-- scheduled (trigger on profiles) and someone joining with your code (private.complete_referral, in the
-- invites migration). private.notify writes one only when the recipient's preferences allow it.
-- Users read their notifications and may only flip `is_read`; pg_cron prunes them after 90 days.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLES
-- -----------------------------------------------------------------------------------------------------

create table if not exists public.notifications (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  type text not null,
  -- What the notification is about (a job's id, the new member's id), when it is about something.
  entity_id uuid,
  content_summary text not null,
  data jsonb,
  is_read boolean not null default false,
  created_at timestamptz not null default now(),
  constraint notifications_type_valid check (
    type in ('job_completed', 'job_failed', 'account_deletion', 'referral_bonus', 'subscription_renewed')
  ),
  constraint notifications_summary_length check (char_length(content_summary) between 1 and 500),
  constraint notifications_data_is_object check (data is null or jsonb_typeof(data) = 'object')
);
comment on table public.notifications is 'In-app notifications, written by the database (private.notify).';

-- The list, newest first, per user.
create index if not exists notifications_user_created_idx on public.notifications (user_id, created_at desc, id desc);
-- The unread count reads only this (small) index.
create index if not exists notifications_unread_idx on public.notifications (user_id) where not is_read;
-- The prune.
create index if not exists notifications_created_at_idx on public.notifications (created_at);

create table if not exists public.notification_preferences (
  user_id uuid primary key references auth.users (id) on delete cascade,
  notify_job_status boolean not null default true,
  notify_account_alerts boolean not null default true,
  notify_referral_rewards boolean not null default true,
  notify_product_updates boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
comment on table public.notification_preferences is
  'One row per user (missing = every switch on): which notifications private.notify writes.';

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.notifications enable row level security;
alter table public.notification_preferences enable row level security;

drop policy if exists "Users can view their own notifications" on public.notifications;
create policy "Users can view their own notifications" on public.notifications
  for select to authenticated
  using (user_id = (select auth.uid()));

-- Only is_read may change (column grant below).
drop policy if exists "Users can mark their own notifications read" on public.notifications;
create policy "Users can mark their own notifications read" on public.notifications
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can view their own notification preferences" on public.notification_preferences;
create policy "Users can view their own notification preferences" on public.notification_preferences
  for select to authenticated
  using (user_id = (select auth.uid()));

drop policy if exists "Users can create their own notification preferences" on public.notification_preferences;
create policy "Users can create their own notification preferences" on public.notification_preferences
  for insert to authenticated
  with check (user_id = (select auth.uid()));

drop policy if exists "Users can update their own notification preferences" on public.notification_preferences;
create policy "Users can update their own notification preferences" on public.notification_preferences
  for update to authenticated
  using (user_id = (select auth.uid()))
  with check (user_id = (select auth.uid()));

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- Writes a notification for p_user_id unless the switch for its type is off. Returns its id (null
-- when the preferences declined it).
create or replace function private.notify(
  p_user_id uuid,
  p_type text,
  p_entity_id uuid,
  p_summary text,
  p_data jsonb default null
)
returns uuid
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_allowed boolean;
  v_id uuid;
begin
  select case
           when p_type in ('job_completed', 'job_failed') then p.notify_job_status
           when p_type = 'account_deletion' then p.notify_account_alerts
           when p_type = 'referral_bonus' then p.notify_referral_rewards
           else p.notify_product_updates
         end
    into v_allowed
    from public.notification_preferences p
   where p.user_id = p_user_id;
  if v_allowed is false then
    return null;
  end if;
  insert into public.notifications (user_id, type, entity_id, content_summary, data)
  values (p_user_id, p_type, p_entity_id, left(p_summary, 500), p_data)
  returning id into v_id;
  return v_id;
end
$$;

-- AFTER UPDATE on jobs, per statement: tells the owners of the jobs the statement has just ended
-- completed or failed (not the ones their users cancelled), in one insert for the whole batch — the
-- worker completes jobs in batches, and a row trigger's call and insert per job slowed the queue's
-- drain (bench/README.md "Job queue drain"). The preference is private.notify's notify_job_status.
create or replace function private.notify_jobs_ended()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.notifications (user_id, type, entity_id, content_summary, data)
  select n.user_id, 'job_' || n.status, n.id,
         case when n.status = 'completed'
              then 'Your image is ready.'
              else 'Your image could not be generated.' end,
         jsonb_build_object('job_type', n.job_type, 'status', n.status)
    from ended_jobs n
    join started_jobs o on o.id = n.id
    left join public.notification_preferences p on p.user_id = n.user_id
   where n.status in ('completed', 'failed')
     and o.status is distinct from n.status
     and n.cancelled_at is null
     and coalesce(p.notify_job_status, true);
  return null;
end
$$;

-- AFTER UPDATE OF deletion_status on profiles, when a deletion has just been scheduled.
create or replace function private.notify_deletion_scheduled()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.notify(
    new.id,
    'account_deletion',
    null,
    'Your account will be deleted on ' || to_char(new.deletion_scheduled_for at time zone 'UTC', 'YYYY-MM-DD')
      || ' (UTC). Sign in again before then to keep it.',
    jsonb_build_object('deletion_scheduled_for', new.deletion_scheduled_for)
  );
  return null;
end
$$;

-- Deletes notifications older than 90 days (pg_cron, daily). Returns how many.
create or replace function private.prune_notifications()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  pruned integer;
begin
  delete from public.notifications where created_at < now() - interval '90 days';
  get diagnostics pruned = row_count;
  return pruned;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

create or replace trigger jobs_notify_ended
  after update on public.jobs
  referencing old table as started_jobs new table as ended_jobs
  for each statement execute function private.notify_jobs_ended();

create or replace trigger profiles_notify_deletion_scheduled
  after update of deletion_status on public.profiles
  for each row
  when (new.deletion_status = 'pending' and old.deletion_status is distinct from 'pending')
  execute function private.notify_deletion_scheduled();

create or replace trigger notification_preferences_set_updated_at
  before update on public.notification_preferences
  for each row execute function private.set_updated_at();

create or replace trigger notification_preferences_stamp_server_times
  before insert on public.notification_preferences
  for each row execute function private.stamp_server_times();

create or replace trigger notification_preferences_protect_columns
  before update on public.notification_preferences
  for each row execute function private.protect_columns('user_id', 'created_at');

-- -----------------------------------------------------------------------------------------------------
-- SCHEDULES
-- -----------------------------------------------------------------------------------------------------

select cron.schedule(
  'pocketllm-prune-notifications',
  '41 4 * * *',
  $$select private.prune_notifications()$$
);

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.notifications, public.notification_preferences
  from public, anon, authenticated, service_role;
grant select on table public.notifications to authenticated;
grant update (is_read) on table public.notifications to authenticated;
grant select, insert, update on table public.notification_preferences to authenticated;
grant select, insert, update, delete on table public.notifications, public.notification_preferences to service_role;

revoke execute on function private.notify(uuid, text, uuid, text, jsonb) from public, anon, authenticated, service_role;
revoke execute on function private.notify_jobs_ended() from public, anon, authenticated, service_role;
revoke execute on function private.notify_deletion_scheduled() from public, anon, authenticated, service_role;
revoke execute on function private.prune_notifications() from public, anon, authenticated, service_role;
