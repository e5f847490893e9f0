-- =====================================================================================================
-- PocketLLM: base
-- The platform extensions the project relies on, the `private` schema (functions and helpers that the
-- Data API never exposes), default-deny EXECUTE, and the trigger helpers every other migration uses.
-- Safe to re-run: every statement is idempotent.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- EXTENSIONS AND SCHEMAS
-- -----------------------------------------------------------------------------------------------------

-- Supabase ships Vault, pg_net and pg_cron as extensions. A stand-in that already provides their SQL API
-- (schemas vault/net/cron exist) needs nothing; elsewhere create whatever is missing.
do $$
begin
  if to_regnamespace('vault') is null then
    create extension if not exists supabase_vault;
  end if;
  if to_regnamespace('net') is null then
    create extension if not exists pg_net with schema extensions;
  end if;
  if to_regnamespace('cron') is null then
    create extension if not exists pg_cron with schema pg_catalog;
  end if;
  if not exists (select from pg_extension where extname = 'pgcrypto') then
    create extension if not exists pgcrypto with schema extensions;
  end if;
end
$$;

-- Functions that must never be reachable through the Data API (Vault access, queue internals,
-- trigger functions) live here. Only service_role may look inside, and only at what is granted.
create schema if not exists private;
comment on schema private is 'PocketLLM internals: security definer functions and trigger helpers; not exposed to clients.';
revoke all on schema private from public;
grant usage on schema private to service_role;

-- Default deny: a new function is executable by nobody but its owner until a migration grants it.
-- (Postgres grants EXECUTE to PUBLIC by default and Supabase adds anon/authenticated/service_role in
-- public; since 2026 new public tables and sequences are no longer granted to the API roles either.)
alter default privileges for role postgres revoke execute on functions from public;
alter default privileges for role postgres in schema public revoke execute on functions from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke all on tables from anon, authenticated, service_role;
alter default privileges for role postgres in schema public revoke all on sequences from anon, authenticated, service_role;

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- BEFORE UPDATE trigger: keeps `updated_at` current on every table that has one.
create or replace function private.set_updated_at()
returns trigger
language plpgsql
set search_path = ''
as $$
begin
  new.updated_at := now();
  return new;
end
$$;

-- BEFORE INSERT OR UPDATE trigger guarding columns that clients must not control. The trigger
-- arguments name the columns. For the API roles (anon, authenticated) an UPDATE may not change them
-- and an INSERT may not set them (they must stay NULL: server-owned values). Everyone else (postgres,
-- service_role, security definer functions) is unaffected.
create or replace function private.protect_columns()
returns trigger
language plpgsql
set search_path = ''
as $$
declare
  col text;
  new_row jsonb := to_jsonb(new);
  old_row jsonb := case when tg_op = 'UPDATE' then to_jsonb(old) end;
begin
  if current_user not in ('anon', 'authenticated') then
    return new;
  end if;
  foreach col in array tg_argv loop
    if tg_op = 'UPDATE' and (new_row -> col) is distinct from (old_row -> col) then
      raise exception 'permission denied: %.% cannot be changed', tg_table_name, col
        using errcode = '42501';
    elsif tg_op = 'INSERT' and coalesce(new_row -> col, 'null'::jsonb) <> 'null'::jsonb then
      raise exception 'permission denied: %.% is set by the server', tg_table_name, col
        using errcode = '42501';
    end if;
  end loop;
  return new;
end
$$;

-- Reads one Vault secret by name (NULL when absent). Used by the worker wake-up, which must never
-- embed the project URL or service key in a migration.
create or replace function private.vault_secret(secret_name text)
returns text
language sql
stable
security definer
set search_path = ''
as $$
  select decrypted_secret from vault.decrypted_secrets where name = secret_name limit 1
$$;

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke execute on function private.set_updated_at() from public, anon, authenticated, service_role;
revoke execute on function private.protect_columns() from public, anon, authenticated, service_role;
revoke execute on function private.vault_secret(text) from public, anon, authenticated, service_role;
