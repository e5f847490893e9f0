-- =====================================================================================================
-- PocketLLM: provider Retry-After in the queue's backoff
-- A provider that answers 429/503 with Retry-After asks for a wait that may be longer than the
-- queue's own backoff. This overload of private.fail_job() records the failed attempt exactly as the
-- four-argument one does, then pushes run_after out to at least now() + p_retry_after_seconds.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- FUNCTIONS
-- -----------------------------------------------------------------------------------------------------

-- Returns what private.fail_job(uuid, uuid, text, boolean) returns: 'pending', 'failed' or NULL for a
-- stale token. The retry waits for the longer of the backoff and the provider's Retry-After (capped
-- at an hour, as the backoff is).
create or replace function private.fail_job(
  p_job_id uuid,
  p_lease_token uuid,
  p_error text,
  p_permanent boolean,
  p_retry_after_seconds integer
)
returns text
language plpgsql
security definer
set search_path = ''
as $$
declare
  v_status text := private.fail_job(p_job_id, p_lease_token, p_error, p_permanent);
begin
  if v_status = 'pending' and coalesce(p_retry_after_seconds, 0) > 0 then
    update public.jobs
    set run_after = greatest(run_after, now() + make_interval(secs => least(p_retry_after_seconds, 3600)))
    where id = p_job_id and status = 'pending' and lease_token is null;
  end if;
  return v_status;
end
$$;

-- -----------------------------------------------------------------------------------------------------
-- GRANTS
-- -----------------------------------------------------------------------------------------------------

revoke execute on function private.fail_job(uuid, uuid, text, boolean, integer) from public, anon, authenticated;
grant execute on function private.fail_job(uuid, uuid, text, boolean, integer) to service_role;
