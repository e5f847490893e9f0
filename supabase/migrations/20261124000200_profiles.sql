-- =====================================================================================================
-- PocketLLM: profiles
-- One profile per Auth user (created by a trigger on auth.users, deleted with it), the account
-- deletion schedule, and the purge that really deletes accounts whose grace period has passed.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLE
-- -----------------------------------------------------------------------------------------------------

-- UserProfile (API.md "Users").
create table if not exists public.profiles (
  -- ID: the Auth user this profile belongs to (1:1; goes when the user goes)
  id uuid primary key references auth.users (id) on delete cascade,

  -- FROM AUTH: kept in step with auth.users.email by a trigger
  email text,

  -- PROFILE (UserProfileUpdate)
  full_name text,
  username text,
  bio text,
  date_of_birth date,
  age smallint,
  profession text,
  heard_from text,
  avatar_url text,

  -- ONBOARDING
  survey_completed boolean not null default false,
  onboarding_responses jsonb not null default '{}'::jsonb,

  -- ACCOUNT DELETION: 'pending' with a schedule, or 'active' with none
  deletion_status text not null default 'active',
  deletion_requested_at timestamptz,
  deletion_scheduled_for timestamptz,

  -- METADATA
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),

  constraint profiles_email_length check (char_length(email) <= 320),
  constraint profiles_full_name_length check (char_length(full_name) <= 120),
  constraint profiles_username_length check (char_length(username) between 1 and 40),
  constraint profiles_bio_length check (char_length(bio) <= 500),
  constraint profiles_age_range check (age between 13 and 120),
  constraint profiles_profession_length check (char_length(profession) <= 120),
  constraint profiles_heard_from_length check (char_length(heard_from) <= 120),
  constraint profiles_avatar_url_length check (char_length(avatar_url) <= 2048),
  constraint profiles_onboarding_responses_is_object check (jsonb_typeof(onboarding_responses) = 'object'),
  constraint profiles_deletion_status_valid check (deletion_status in ('active', 'pending')),
  constraint profiles_deletion_pending_has_schedule check (
    (deletion_status = 'active' and deletion_scheduled_for is null)
    or (deletion_status = 'pending' and deletion_scheduled_for is not null and deletion_requested_at is not null)
  )
);

comment on table public.profiles is 'PocketLLM user profile, 1:1 with auth.users (API UserProfile).';
comment on column public.profiles.email is 'Copied from auth.users.email by triggers; clients cannot change it.';
comment on column public.profiles.deletion_scheduled_for is 'When pending, private.purge_deleted_accounts() deletes the Auth user (and everything of theirs) after this time.';

-- -----------------------------------------------------------------------------------------------------
-- INDEXES
-- -----------------------------------------------------------------------------------------------------

-- Usernames are unique regardless of case (PUT /v1/users/profile answers 409 when taken).
create unique index if not exists profiles_username_unique on public.profiles (lower(username));

-- The purge scans only accounts waiting for deletion.
create index if not exists profiles_deletion_scheduled_for_idx
  on public.profiles (deletion_scheduled_for)
  where deletion_status = 'pending';

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.profiles enable row level security;

drop policy if exists "Users can view their own profile" on public.profiles;
create policy "Users can view their own profile" on public.profiles
  for select to authenticated
  using (id = (select auth.uid()));

-- Normally the auth.users trigger creates the row; sign-up/sign-in may re-create a missing one.
drop policy if exists "Users can create their own profile" on public.profiles;
create policy "Users can create their own profile" on public.profiles
  for insert to authenticated
  with check (id = (select auth.uid()));

drop policy if exists "Users can update their own profile" on public.profiles;
create policy "Users can update their own profile" on public.profiles
  for update to authenticated
  using (id = (select auth.uid()))
  with check (id = (select auth.uid()));

-- No delete policy: users schedule deletion; the purge (or service_role) deletes.

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- AFTER INSERT on auth.users: the new user's profile, with the email and the `full_name` (or `name`)
-- from the sign-up metadata (cut to the 120-character limit so a long name never blocks a sign-up).
create or replace function private.handle_new_user()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  insert into public.profiles (id, email, full_name)
  values (
    new.id,
    new.email,
    left(nullif(btrim(coalesce(new.raw_user_meta_data ->> 'full_name', new.raw_user_meta_data ->> 'name')), ''), 120)
  )
  on conflict (id) do nothing;
  return new;
end
$$;

-- BEFORE INSERT on profiles: the email always comes from auth.users, whoever inserts the row.
create or replace function private.profiles_copy_auth_email()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  new.email := (select u.email from auth.users u where u.id = new.id);
  return new;
end
$$;

-- AFTER UPDATE OF email on auth.users: keeps profiles.email in step.
create or replace function private.handle_user_email_change()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles set email = new.email where id = new.id;
  return new;
end
$$;

-- Deletes every account whose deletion was scheduled and whose time has passed. Deleting the Auth user
-- cascades to all of its rows; the providers' triggers remove their Vault secrets. Rows being changed
-- right now (e.g. a sign-in cancelling the deletion) are skipped and retried on the next run.
-- Returns how many accounts were deleted. Scheduled with pg_cron (see the cron migration).
create or replace function private.purge_deleted_accounts()
returns integer
language plpgsql
security definer
set search_path = ''
as $$
declare
  purged integer;
begin
  with due as (
    select p.id
    from public.profiles p
    where p.deletion_status = 'pending'
      and p.deletion_scheduled_for <= now()
    for update of p skip locked
  )
  delete from auth.users u
  using due
  where u.id = due.id;
  get diagnostics purged = row_count;
  return purged;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

-- `create or replace trigger`: postgres may create and replace triggers on auth.users (TRIGGER
-- privilege) but not drop them (that takes ownership, which stays with supabase_auth_admin).
create or replace trigger on_auth_user_created
  after insert on auth.users
  for each row execute function private.handle_new_user();

create or replace trigger on_auth_user_email_changed
  after update of email on auth.users
  for each row
  when (old.email is distinct from new.email)
  execute function private.handle_user_email_change();

create or replace trigger profiles_copy_auth_email
  before insert on public.profiles
  for each row execute function private.profiles_copy_auth_email();

create or replace trigger profiles_set_updated_at
  before update on public.profiles
  for each row execute function private.set_updated_at();

-- Clients may not change who the profile belongs to, its email (owned by Auth) or its creation time.
create or replace trigger profiles_protect_columns
  before update on public.profiles
  for each row execute function private.protect_columns('id', 'email', 'created_at');

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.profiles from public, anon, authenticated, service_role;
grant select, insert, update on table public.profiles to authenticated;
grant select, insert, update, delete on table public.profiles to service_role;

revoke execute on function private.handle_new_user() from public, anon, authenticated, service_role;
revoke execute on function private.handle_user_email_change() from public, anon, authenticated, service_role;
revoke execute on function private.profiles_copy_auth_email() from public, anon, authenticated, service_role;
revoke execute on function private.purge_deleted_accounts() from public, anon, authenticated;
grant execute on function private.purge_deleted_accounts() to service_role;
