-- Stand-in for the pg_net extension's SQL API: net.http_get/http_post/http_delete only queue the request
-- (sent after the calling transaction commits, never if it rolls back); the stack's dispatcher performs
-- it and records the outcome in net._http_response, as pg_net's background worker does.

create schema if not exists net;

do $$
begin
  if not exists (select 1 from pg_type t join pg_namespace n on n.oid = t.typnamespace
                 where n.nspname = 'net' and t.typname = 'http_method') then
    create domain net.http_method as text
      check (value ilike 'get' or value ilike 'post' or value ilike 'delete');
  end if;
end
$$;

create table if not exists net.http_request_queue (
  id bigserial primary key,
  method net.http_method not null,
  url text not null,
  headers jsonb not null default '{}',
  body bytea,
  timeout_milliseconds int not null
);

create table if not exists net._http_response (
  id bigint,
  status_code integer,
  content_type text,
  headers jsonb,
  content text,
  timed_out boolean,
  error_msg text,
  created timestamptz not null default now()
);
create index if not exists _http_response_created_idx on net._http_response (created);

-- NOTIFY is delivered only when the transaction commits: that is what makes the send wait for the commit.
create or replace function net.wake() returns void
language sql volatile security definer set search_path = '' as $$
  select pg_notify('pg_net_wake', '')
$$;

create or replace function net._urlencode_params(url text, params jsonb) returns text
language sql immutable set search_path = '' as $$
  select case
    when params is null or params = '{}'::jsonb then url
    else url || case when position('?' in url) > 0 then '&' else '?' end || (
      select string_agg(key || '=' || replace(replace(replace(value, '%', '%25'), '&', '%26'), ' ', '%20'), '&')
      from jsonb_each_text(params)
    )
  end
$$;

create or replace function net._enqueue(method text, url text, params jsonb, headers jsonb, body bytea,
  timeout_milliseconds int) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  request_id bigint;
begin
  insert into net.http_request_queue (method, url, headers, body, timeout_milliseconds)
  values (method, net._urlencode_params(url, params), coalesce(headers, '{}'::jsonb), body, timeout_milliseconds)
  returning id into request_id;
  perform net.wake();
  return request_id;
end
$$;

create or replace function net.http_get(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language sql volatile security definer set search_path = '' as $$
  select net._enqueue('GET', url, params, headers, null, timeout_milliseconds)
$$;

create or replace function net.http_post(
  url text,
  body jsonb default '{}'::jsonb,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{"Content-Type": "application/json"}'::jsonb,
  timeout_milliseconds int default 5000
) returns bigint
language plpgsql volatile security definer set search_path = '' as $$
declare
  content_type text;
begin
  select value into content_type from jsonb_each_text(coalesce(headers, '{}'::jsonb))
  where lower(key) = 'content-type';
  if content_type is null then
    headers := coalesce(headers, '{}'::jsonb) || '{"Content-Type": "application/json"}'::jsonb;
  elsif content_type <> 'application/json' then
    raise exception 'Content-Type header must be "application/json"';
  end if;
  return net._enqueue('POST', url, params, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds);
end
$$;

create or replace function net.http_delete(
  url text,
  params jsonb default '{}'::jsonb,
  headers jsonb default '{}'::jsonb,
  timeout_milliseconds int default 5000,
  body jsonb default null
) returns bigint
language sql volatile security definer set search_path = '' as $$
  select net._enqueue('DELETE', url, params, headers, convert_to(body::text, 'UTF8'), timeout_milliseconds)
$$;

revoke all on all functions in schema net from public;
grant usage on schema net to postgres, anon, authenticated, service_role;
grant execute on function net.http_get(text, jsonb, jsonb, int), net.http_post(text, jsonb, jsonb, jsonb, int),
  net.http_delete(text, jsonb, jsonb, int, jsonb) to public;
grant select on net.http_request_queue, net._http_response to postgres, service_role;
grant delete on net._http_response to postgres, service_role;
