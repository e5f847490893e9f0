-- Local data only (applied by the local stack / `supabase start` / `supabase db reset`, never by `db push`
-- to a hosted project): a demo account with a chat, to click through the API right after `npm run dev`,
-- and the Vault secrets with which `supabase start` wakes the worker (at the end).
--
--   email: demo@pocketllm.local   password: pocketllm-demo
--
-- No provider is configured: activate one with your own key (POST /api/v1/providers/activate).

insert into auth.users (instance_id, id, aud, role, email, encrypted_password, email_confirmed_at,
                        raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
values ('00000000-0000-0000-0000-000000000000', 'd3b07384-d9a0-4c9b-8f3e-1c2a5b6e7f80', 'authenticated',
        'authenticated', 'demo@pocketllm.local', extensions.crypt('pocketllm-demo', extensions.gen_salt('bf', 10)),
        now(), '{"provider": "email", "providers": ["email"]}', '{"full_name": "Demo User"}', now(), now())
on conflict (id) do nothing;

insert into auth.identities (provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at)
values ('d3b07384-d9a0-4c9b-8f3e-1c2a5b6e7f80', 'd3b07384-d9a0-4c9b-8f3e-1c2a5b6e7f80',
        '{"sub": "d3b07384-d9a0-4c9b-8f3e-1c2a5b6e7f80", "email": "demo@pocketllm.local", "email_verified": true}',
        'email', now(), now(), now())
on conflict (provider_id, provider) do nothing;

insert into public.chats (id, user_id, title)
values ('5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b', 'd3b07384-d9a0-4c9b-8f3e-1c2a5b6e7f80', 'Welcome to PocketLLM')
on conflict (id) do nothing;

insert into public.messages (chat_id, role, content, created_at)
select '5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b', role, content, now() - make_interval(secs => seconds_ago)
from (values
  ('user', 'What can I do here?', 2),
  ('assistant', 'Add a provider key, import a model, set it as your default, and chat: replies stream from your own provider.', 1)
) as sample(role, content, seconds_ago)
where not exists (select 1 from public.messages where chat_id = '5f1d2c3b-4a59-4e6f-8a7b-9c0d1e2f3a4b');

-- The two Vault secrets the job trigger and the pg_cron wake-up read to call the worker function
-- (private.wake_worker), so that `supabase start` drains jobs with no manual step. They hold what works
-- from inside the CLI's database container: the API gateway by its name on the CLI's Docker network,
-- `kong` (127.0.0.1:54321 would be the database container itself), and the well-known local
-- service_role key. Created only when missing: the seed runs on every `supabase db reset`, and values
-- set by hand are kept. The Docker-free local stack writes its own values after the seed.
select vault.create_secret('http://kong:8000', 'project_url', 'supabase start: the API gateway, from the database')
where not exists (select 1 from vault.secrets where name = 'project_url');

select vault.create_secret(
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJzdXBhYmFzZS1kZW1vIiwicm9sZSI6InNlcnZpY2Vfcm9sZSIsImV4cCI6MTk4MzgxMjk5Nn0.EGIM96RAZx35lJzdJsyH-qQwv8Hdp7fsn3W0YpN81IU',
  'service_role_key',
  'supabase start: the well-known local service_role key'
)
where not exists (select 1 from vault.secrets where name = 'service_role_key');
