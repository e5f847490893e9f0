-- =====================================================================================================
-- PocketLLM: invite codes and referrals (API-LATER.md §2, §3).
--
-- - public.invite_codes: a code, its owner (null for codes an operator hands out) and its uses. A use
--   is taken in one statement that only counts while uses_count < max_uses (and a check keeps it
--   there), so parallel sign-ups can never pass max_uses.
-- - public.referrals: the invitations a user sends; they become 'joined' when the invitee signs up
--   with the inviter's code and confirms their email.
-- - profiles gains invite_code (the user's own code), referral_code (the code they joined with) and
--   referred_by (that code's owner): all three written by the server only.
-- Users read their own rows; every write goes through the functions below (or a column grant).
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- TABLES
-- -----------------------------------------------------------------------------------------------------

create table if not exists public.invite_codes (
  id uuid primary key default gen_random_uuid(),
  -- Stored as compared: trimmed and upper-cased.
  code text not null,
  -- The user whose referral code this is; null for a code an operator created.
  owner_id uuid references auth.users (id) on delete cascade,
  max_uses integer not null default 5,
  uses_count integer not null default 0,
  is_active boolean not null default true,
  expires_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint invite_codes_code_format check (code = upper(btrim(code)) and char_length(code) between 1 and 64),
  constraint invite_codes_max_uses_range check (max_uses between 0 and 1000000),
  constraint invite_codes_uses_within_max check (uses_count between 0 and max_uses)
);
comment on table public.invite_codes is
  'Invite and referral codes; a use is taken atomically by private.take_invite_code (never past max_uses).';

create unique index if not exists invite_codes_code_key on public.invite_codes (code);
-- Every user has one code (private.ensure_invite_code).
create unique index if not exists invite_codes_one_per_owner on public.invite_codes (owner_id)
  where owner_id is not null;

create table if not exists public.referrals (
  id uuid primary key default gen_random_uuid(),
  inviter_id uuid not null references auth.users (id) on delete cascade,
  email text not null,
  full_name text,
  message text,
  status text not null default 'pending',
  reward_status text not null default 'pending',
  invitee_id uuid references auth.users (id) on delete set null,
  accepted_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  constraint referrals_email_format check (email = lower(btrim(email)) and char_length(email) between 3 and 320),
  constraint referrals_full_name_length check (char_length(full_name) <= 120),
  constraint referrals_message_length check (char_length(message) <= 500),
  constraint referrals_status_valid check (status in ('pending', 'joined', 'rejected')),
  constraint referrals_reward_status_valid check (reward_status in ('pending', 'issued', 'none'))
);
comment on table public.referrals is 'Invitations a user sent with their code (API-LATER.md §3).';

-- One pending invitation per (inviter, email): sending again finds the existing one.
create unique index if not exists referrals_one_pending on public.referrals (inviter_id, email)
  where status = 'pending';
create index if not exists referrals_inviter_created_idx on public.referrals (inviter_id, created_at desc, id desc);
create index if not exists referrals_invitee_id_idx on public.referrals (invitee_id) where invitee_id is not null;

alter table public.profiles
  add column if not exists invite_code text,
  add column if not exists referral_code text,
  add column if not exists referred_by uuid references auth.users (id) on delete set null;
alter table public.profiles
  add constraint profiles_invite_code_length check (char_length(invite_code) <= 64),
  add constraint profiles_referral_code_length check (char_length(referral_code) <= 64);
create index if not exists profiles_referred_by_idx on public.profiles (referred_by) where referred_by is not null;

-- -----------------------------------------------------------------------------------------------------
-- RLS
-- -----------------------------------------------------------------------------------------------------

alter table public.invite_codes enable row level security;
alter table public.referrals enable row level security;

drop policy if exists "Users can view their own invite code" on public.invite_codes;
create policy "Users can view their own invite code" on public.invite_codes
  for select to authenticated
  using (owner_id = (select auth.uid()));

drop policy if exists "Users can view their own invitations" on public.referrals;
create policy "Users can view their own invitations" on public.referrals
  for select to authenticated
  using (inviter_id = (select auth.uid()));

-- Column grants (below) limit what an insert may set: status, rewards and acceptance are the server's.
drop policy if exists "Users can send invitations" on public.referrals;
create policy "Users can send invitations" on public.referrals
  for insert to authenticated
  with check (inviter_id = (select auth.uid()));

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- The user's own code, created on first use: POCKET- and 6 characters of A-Z0-9 (a collision, or a
-- concurrent first use, tries again). Also copied to profiles.invite_code.
create or replace function private.ensure_invite_code(p_user_id uuid)
returns public.invite_codes
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_code public.invite_codes;
  v_alphabet constant text := 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
begin
  for attempt in 1..10 loop
    select * into v_code from public.invite_codes where owner_id = p_user_id;
    if found then
      return v_code;
    end if;
    begin
      insert into public.invite_codes (code, owner_id, max_uses)
      values (
        'POCKET-' || (select string_agg(substr(v_alphabet, 1 + floor(random() * 36)::integer, 1), '')
                        from generate_series(1, 6)),
        p_user_id,
        5
      )
      returning * into v_code;
      update public.profiles set invite_code = v_code.code where id = p_user_id;
      return v_code;
    exception when unique_violation then
      -- Another code took this text, or the user's first use raced another: look again.
    end;
  end loop;
  raise exception 'could not create an invite code' using errcode = 'P0001';
end
$$;

-- Takes one use of a code in one statement: 'taken' (with the code's id and owner), or why not:
-- 'not_found', 'inactive' (switched off or expired) or 'exhausted'.
create or replace function private.take_invite_code(p_code text)
returns table (outcome text, code_id uuid, owner_id uuid)
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_code text := upper(btrim(p_code));
  v_row public.invite_codes;
begin
  update public.invite_codes c
     set uses_count = c.uses_count + 1
   where c.code = v_code
     and c.is_active
     and (c.expires_at is null or c.expires_at > now())
     and c.uses_count < c.max_uses
  returning c.* into v_row;
  if found then
    return query select 'taken', v_row.id, v_row.owner_id;
    return;
  end if;
  select * into v_row from public.invite_codes c where c.code = v_code;
  return query select
    case
      when not found then 'not_found'
      when not v_row.is_active or v_row.expires_at <= now() then 'inactive'
      else 'exhausted'
    end,
    null::uuid,
    null::uuid;
end
$$;

-- Gives back a use taken for a sign-up that Auth then refused.
create or replace function private.release_invite_code(p_code_id uuid)
returns void
language sql
security definer
set search_path = ''
as $$
  update public.invite_codes set uses_count = greatest(uses_count - 1, 0) where id = p_code_id;
$$;

-- The invitee's side of a referral, once their email is confirmed: the inviter's pending invitation
-- for that email becomes 'joined' (or a joined row is added when they were not invited by email),
-- and the inviter is told (private.notify, when their preferences allow). Runs once per invitee.
create or replace function private.complete_referral(p_user_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_inviter uuid;
  v_code text;
  v_email text;
begin
  select p.referred_by, p.referral_code, lower(u.email) into v_inviter, v_code, v_email
    from public.profiles p join auth.users u on u.id = p.id
   where p.id = p_user_id;
  if v_inviter is null or v_email is null
     or exists (select 1 from public.referrals r where r.invitee_id = p_user_id) then
    return;
  end if;
  update public.referrals
     set status = 'joined', reward_status = 'issued', invitee_id = p_user_id, accepted_at = now()
   where inviter_id = v_inviter and email = v_email and status = 'pending';
  if not found then
    insert into public.referrals (inviter_id, email, status, reward_status, invitee_id, accepted_at)
    values (v_inviter, v_email, 'joined', 'issued', p_user_id, now());
  end if;
  perform private.notify(
    v_inviter,
    'referral_bonus',
    p_user_id,
    'Someone joined PocketLLM with your invite code ' || v_code || '.',
    jsonb_build_object('invite_code', v_code)
  );
end
$$;

-- Records the code a new user signed up with (its use already taken) and, when the email is
-- confirmed already, completes the referral; otherwise the confirmation does (trigger below).
create or replace function private.record_sign_up_code(p_user_id uuid, p_code_id uuid)
returns void
language plpgsql
security definer
set search_path = ''
as $$
begin
  update public.profiles p
     set referral_code = c.code, referred_by = c.owner_id
    from public.invite_codes c
   where c.id = p_code_id and p.id = p_user_id;
  if exists (select 1 from auth.users where id = p_user_id and email_confirmed_at is not null) then
    perform private.complete_referral(p_user_id);
  end if;
end
$$;

-- AFTER UPDATE OF email_confirmed_at on auth.users: a referral completes when the invitee confirms.
create or replace function private.handle_user_confirmed()
returns trigger
language plpgsql
security definer
set search_path = ''
as $$
begin
  perform private.complete_referral(new.id);
  return new;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- TRIGGERS
-- -----------------------------------------------------------------------------------------------------

create or replace trigger on_auth_user_confirmed
  after update of email_confirmed_at on auth.users
  for each row
  when (old.email_confirmed_at is null and new.email_confirmed_at is not null)
  execute function private.handle_user_confirmed();

create or replace trigger invite_codes_set_updated_at
  before update on public.invite_codes
  for each row execute function private.set_updated_at();

create or replace trigger referrals_set_updated_at
  before update on public.referrals
  for each row execute function private.set_updated_at();

create or replace trigger invite_codes_stamp_server_times
  before insert on public.invite_codes
  for each row execute function private.stamp_server_times();

create or replace trigger referrals_stamp_server_times
  before insert on public.referrals
  for each row execute function private.stamp_server_times();

-- The referral columns join the profile's server-owned ones, on update and on insert.
create or replace trigger profiles_protect_columns
  before update on public.profiles
  for each row execute function private.protect_columns(
    'id', 'email', 'created_at', 'invite_code', 'referral_code', 'referred_by'
  );

create or replace trigger profiles_protect_insert_columns
  before insert on public.profiles
  for each row execute function private.protect_columns('invite_code', 'referral_code', 'referred_by');

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke all on table public.invite_codes, public.referrals from public, anon, authenticated, service_role;
grant select on table public.invite_codes to authenticated;
grant select on table public.referrals to authenticated;
grant insert (inviter_id, email, full_name, message) on table public.referrals to authenticated;
grant select, insert, update, delete on table public.invite_codes, public.referrals to service_role;

revoke execute on function private.ensure_invite_code(uuid) from public, anon, authenticated;
revoke execute on function private.take_invite_code(text) from public, anon, authenticated;
revoke execute on function private.release_invite_code(uuid) from public, anon, authenticated;
revoke execute on function private.complete_referral(uuid) from public, anon, authenticated, service_role;
revoke execute on function private.record_sign_up_code(uuid, uuid) from public, anon, authenticated;
revoke execute on function private.handle_user_confirmed() from public, anon, authenticated, service_role;
grant execute on function private.ensure_invite_code(uuid) to service_role;
grant execute on function private.take_invite_code(text) to service_role;
grant execute on function private.release_invite_code(uuid) to service_role;
grant execute on function private.record_sign_up_code(uuid, uuid) to service_role;
