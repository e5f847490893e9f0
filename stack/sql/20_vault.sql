-- Stand-in for the supabase_vault extension (not packaged for Debian): the same table, functions, view
-- and grants. Secrets are encrypted with pgcrypto under a root key that only supabase_admin can read,
-- as Vault keeps its root key outside the reach of SQL users.

create schema if not exists vault;

create table if not exists vault._root_key (
  id int primary key default 1 check (id = 1),
  key text not null default encode(extensions.gen_random_bytes(32), 'hex')
);
insert into vault._root_key default values on conflict do nothing;
revoke all on vault._root_key from public;

create table if not exists vault.secrets (
  id uuid primary key default gen_random_uuid(),
  name text,
  description text not null default '',
  secret text not null,
  key_id uuid,
  nonce bytea default extensions.gen_random_bytes(16),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create unique index if not exists secrets_name_idx on vault.secrets (name) where name is not null;

create or replace function vault._encrypt(plain text) returns text
language sql volatile security definer set search_path = '' as $$
  select encode(extensions.pgp_sym_encrypt(plain, (select key from vault._root_key)), 'base64')
$$;

create or replace function vault._decrypt(cipher text) returns text
language sql stable security definer set search_path = '' as $$
  select extensions.pgp_sym_decrypt(decode(cipher, 'base64'), (select key from vault._root_key))
$$;

create or replace function vault.create_secret(
  new_secret text,
  new_name text default null,
  new_description text default '',
  new_key_id uuid default null
) returns uuid
language plpgsql volatile security definer set search_path = '' as $$
declare
  secret_id uuid;
begin
  insert into vault.secrets (secret, name, description)
  values (vault._encrypt(new_secret), new_name, coalesce(new_description, ''))
  returning id into secret_id;
  return secret_id;
end
$$;

create or replace function vault.update_secret(
  secret_id uuid,
  new_secret text default null,
  new_name text default null,
  new_description text default null,
  new_key_id uuid default null
) returns void
language sql volatile security definer set search_path = '' as $$
  update vault.secrets
  set secret = coalesce(vault._encrypt(new_secret), secret),
      name = coalesce(new_name, name),
      description = coalesce(new_description, description),
      updated_at = now()
  where id = secret_id
$$;

create or replace view vault.decrypted_secrets as
select id, name, description, secret, vault._decrypt(secret) as decrypted_secret, key_id, nonce,
       created_at, updated_at
from vault.secrets;

revoke all on all functions in schema vault from public;
revoke all on vault.secrets, vault.decrypted_secrets from public;
grant usage on schema vault to postgres with grant option;
grant usage on schema vault to service_role;
grant select, delete on vault.secrets, vault.decrypted_secrets to postgres with grant option;
grant select, delete on vault.secrets, vault.decrypted_secrets to service_role;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid)
  to postgres with grant option;
grant execute on function vault.create_secret(text, text, text, uuid), vault.update_secret(uuid, text, text, text, uuid)
  to service_role;
-- The view decrypts with the caller's rights, as Vault's grants its decrypt function to these two.
grant execute on function vault._decrypt(text) to postgres, service_role;
