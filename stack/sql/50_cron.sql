-- pg_cron, enabled and usable by postgres as on Supabase (Supabase Cron).

create extension if not exists pg_cron;
grant usage on schema cron to postgres;
grant all privileges on all tables in schema cron to postgres;
grant all privileges on all sequences in schema cron to postgres;
grant execute on all functions in schema cron to postgres;
