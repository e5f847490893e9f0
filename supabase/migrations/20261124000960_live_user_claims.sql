-- A user's access token outlives the account: Auth tokens are stateless and stay valid until they
-- expire, also after the user is deleted. The api function verifies tokens without asking Auth, so
-- it takes the role for a request through these functions, which refuse a `sub` with no live
-- auth.users row (SQLSTATE 28000, answered as 401). The check rides on the statement that sets the
-- role, so it costs no extra round trip.

create or replace function private.assert_live_user(p_sub text)
returns void
language plpgsql
stable
set search_path = ''
as $$
begin
  if p_sub is null
     or p_sub !~* '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$'
     or not exists (select 1 from auth.users u where u.id = p_sub::uuid and u.deleted_at is null) then
    raise exception 'The account this token was issued for no longer exists.' using errcode = '28000';
  end if;
end;
$$;

-- Not security definer: role may not be set inside one. The api connects as the owner (postgres).
create or replace function private.assume_user(p_claims text)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform private.assert_live_user(p_claims::jsonb ->> 'sub');
  perform set_config('request.jwt.claims', p_claims, true);
  perform set_config('role', 'authenticated', true);
end;
$$;

create or replace function private.assume_service_for(p_user_id uuid)
returns void
language plpgsql
set search_path = ''
as $$
begin
  perform private.assert_live_user(p_user_id::text);
  perform set_config('role', 'service_role', true);
end;
$$;

revoke execute on function private.assert_live_user(text) from public, anon, authenticated, service_role;
revoke execute on function private.assume_user(text) from public, anon, authenticated, service_role;
revoke execute on function private.assume_service_for(uuid) from public, anon, authenticated, service_role;
