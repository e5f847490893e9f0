-- =====================================================================================================
-- PocketLLM: pg_cron schedules
-- cron.schedule(name, ...) replaces a job of the same name, so re-running this file is harmless.
-- Schedules are in UTC. pg_cron 1.4 (Debian) accepts minute schedules only; on a pg_cron >= 1.5
-- project the worker wake-up could run every '10 seconds'.
-- Each command runs as the scheduling role (postgres), which owns the private functions it calls.
-- =====================================================================================================

-- -----------------------------------------------------------------------------------------------------
-- SCHEDULES
-- -----------------------------------------------------------------------------------------------------

-- Every minute: wake the worker edge function through pg_net when a job is due or a lease expired
-- (backstop for the insert trigger; reads the URL and key from Vault at run time).
select cron.schedule(
  'pocketllm-wake-worker',
  '* * * * *',
  $$select private.wake_worker_if_due()$$
);

-- Every hour: delete the accounts whose scheduled deletion time has passed (and, by cascade, all of
-- their rows and Vault secrets).
select cron.schedule(
  'pocketllm-purge-deleted-accounts',
  '7 * * * *',
  $$select private.purge_deleted_accounts()$$
);

-- Every day: pg_cron never trims its own run history; keep a week of it.
select cron.schedule(
  'pocketllm-trim-cron-history',
  '23 3 * * *',
  $$delete from cron.job_run_details where end_time < now() - interval '7 days'$$
);
