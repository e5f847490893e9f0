-- Guards over the whole schema: RLS on every public table, policies only for `authenticated` and
-- written with (select auth.uid()), nothing for anon, no plain-text key column, and a private schema
-- whose functions no API role but service_role can execute.
begin;
select plan(17);

-- -----------------------------------------------------------------------------------------------------
-- Tables
-- -----------------------------------------------------------------------------------------------------

select has_table('public', t, format('public.%s exists', t))
from unnest(array['profiles', 'providers', 'model_configs', 'chats', 'messages', 'jobs']) as t;

select is_empty(
  $$ select c.relname from pg_class c
     where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') and not c.relrowsecurity $$,
  'every table in public has row level security enabled'
);

select is_empty(
  $$ select tablename, policyname from pg_policies
     where schemaname = 'public'
       and tablename in ('profiles', 'providers', 'model_configs', 'chats', 'messages', 'jobs')
       and roles <> '{authenticated}'::name[] $$,
  'every policy applies to authenticated only'
);

select is_empty(
  $$ select tablename, policyname from pg_policies
     where schemaname = 'public'
       and (coalesce(qual, '') || ' ' || coalesce(with_check, '')) ~ 'auth\.uid\(\)'
       and (coalesce(qual, '') || ' ' || coalesce(with_check, '')) !~ 'SELECT auth\.uid\(\)' $$,
  'policies call auth.uid() through (select auth.uid()), evaluated once per statement'
);

select is_empty(
  $$ select table_name, privilege_type from information_schema.role_table_grants
     where grantee = 'anon' and table_schema = 'public'
       and table_name in ('profiles', 'providers', 'model_configs', 'chats', 'messages', 'jobs') $$,
  'anon is granted nothing on the project''s tables'
);

select is_empty(
  $$ select table_name, column_name from information_schema.columns
     where table_schema in ('public', 'private')
       and column_name ~* '(api_?key|secret|password|token)$'
       and column_name not in ('api_key_preview', 'api_key_hash', 'has_api_key', 'vault_secret_id', 'lease_token') $$,
  'no column could hold a plain-text key or secret'
);

-- Every foreign key is the leading part of some index (joins, cascades and RLS filters stay indexed).
select is_empty(
  $$ select c.conrelid::regclass, c.conname
     from pg_constraint c
     where c.contype = 'f' and c.connamespace = 'public'::regnamespace
       and not exists (
         select 1 from pg_index i
         where i.indrelid = c.conrelid
           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] @> c.conkey
           and (i.indkey::int2[])[0:cardinality(c.conkey) - 1] <@ c.conkey
       ) $$,
  'every foreign key in public is covered by an index'
);

-- -----------------------------------------------------------------------------------------------------
-- The private schema
-- -----------------------------------------------------------------------------------------------------

select ok(
  not has_schema_privilege('anon', 'private', 'usage') and not has_schema_privilege('authenticated', 'private', 'usage'),
  'anon and authenticated cannot use the private schema'
);

select is_empty(
  $$ select p.oid::regprocedure from pg_proc p
     where p.pronamespace = 'private'::regnamespace
       and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute')) $$,
  'no private function is executable by anon or authenticated'
);

select is_empty(
  $$ select p.oid::regprocedure from pg_proc p
     where p.pronamespace in ('public'::regnamespace, 'private'::regnamespace)
       and p.prosecdef
       and not coalesce(p.proconfig, '{}') @> array['search_path=""'] $$,
  'every security definer function pins search_path to an empty string'
);

select is_empty(
  $$ select p.oid::regprocedure from pg_proc p
     where p.pronamespace = 'private'::regnamespace
       and not coalesce(p.proconfig, '{}') @> array['search_path=""'] $$,
  'every private function pins search_path to an empty string'
);

select is_empty(
  $$ select p.oid::regprocedure from pg_proc p
     where p.pronamespace = 'public'::regnamespace and p.prosecdef
       and (has_function_privilege('anon', p.oid, 'execute') or has_function_privilege('authenticated', p.oid, 'execute')) $$,
  'no security definer function in public is callable by anon or authenticated'
);

select * from finish();
rollback;
