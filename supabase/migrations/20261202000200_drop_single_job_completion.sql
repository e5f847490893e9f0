-- =====================================================================================================
-- PocketLLM: the worker completes jobs only through private.complete_jobs() (the set-based form, one
-- statement per burst); the single-job private.complete_job() was left to the tests alone.
-- =====================================================================================================

drop function if exists private.complete_job(uuid, uuid, jsonb);
