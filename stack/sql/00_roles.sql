-- Platform roles, schemas and grants as Supabase's images create them (supabase/postgres init scripts),
-- reduced to what this project touches. The cluster's superuser is supabase_admin; postgres is demoted.
-- Idempotent: applied on every stack start.

do $$
declare
  r record;
begin
  for r in select * from (values
    ('postgres',              'login createrole createdb replication bypassrls'),
    ('anon',                  'nologin inherit'),
    ('authenticated',         'nologin inherit'),
    ('service_role',          'nologin inherit bypassrls'),
    ('authenticator',         'login noinherit'),
    ('supabase_auth_admin',   'login noinherit createrole'),
    ('supabase_storage_admin','login noinherit createrole'),
    ('dashboard_user',        'nologin createrole createdb replication')
  ) as t(name, attrs)
  loop
    if not exists (select 1 from pg_roles where rolname = r.name) then
      execute format('create role %I %s', r.name, r.attrs);
    end if;
  end loop;
end
$$;

alter role anon set statement_timeout = '3s';
alter role authenticated set statement_timeout = '8s';
alter role authenticator set statement_timeout = '8s';

grant anon, authenticated, service_role to authenticator;
grant anon, authenticated, service_role to postgres;
grant authenticated, anon to supabase_storage_admin;

alter database postgres owner to postgres;
alter role postgres set search_path = "$user", public, extensions;

create schema if not exists extensions;
grant usage on schema extensions to postgres, anon, authenticated, service_role;
create extension if not exists pgcrypto with schema extensions;
create extension if not exists "uuid-ossp" with schema extensions;

do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'pgtap') then
    create extension if not exists pgtap with schema extensions;
  end if;
end
$$;

grant usage on schema public to postgres, anon, authenticated, service_role;
-- Since 2026 Supabase no longer grants new public tables to the API roles automatically:
-- migrations grant what each role may touch.
alter default privileges for role postgres in schema public
  revoke select, insert, update, delete on tables from anon, authenticated, service_role;

-- `supabase db lint` uses plpgsql_check, which Supabase lets postgres use: create it for postgres here.
do $$
begin
  if exists (select 1 from pg_available_extensions where name = 'plpgsql_check') then
    create extension if not exists plpgsql_check with schema extensions;
  end if;
end
$$;
