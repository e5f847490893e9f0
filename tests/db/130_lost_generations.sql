-- A generation whose writer went away is ended by the housekeeping; a live one is left alone.
begin;
select plan(4);

\ir helpers.psql

select pg_temp.new_user('owner');
insert into public.chats (id, user_id, title) values ('00000000-0000-4000-8000-00000000d001', pg_temp.id('owner'), 'g');
insert into public.messages (id, chat_id, role, content, metadata) values
  ('00000000-0000-4000-8000-0000000000d1', '00000000-0000-4000-8000-00000000d001', 'user', 'q', '{}'),
  ('00000000-0000-4000-8000-0000000000d2', '00000000-0000-4000-8000-00000000d001', 'assistant', 'half',
   jsonb_build_object('status', 'generating', 'progress_at', now() - interval '10 minutes')),
  ('00000000-0000-4000-8000-0000000000d3', '00000000-0000-4000-8000-00000000d001', 'assistant', 'live',
   jsonb_build_object('status', 'generating', 'progress_at', now() - interval '10 seconds'));

select is(private.end_lost_generations(), 1, 'one generation was silent for five minutes');
select is((select metadata ->> 'status' from public.messages where id = '00000000-0000-4000-8000-0000000000d2'),
  'error', 'it ends as an error');
select is((select content || '/' || (metadata -> 'error' ->> 'code') from public.messages
            where id = '00000000-0000-4000-8000-0000000000d2'),
  'half/generation_lost', 'its text is kept, and why it ended is said');
select is((select metadata ->> 'status' from public.messages where id = '00000000-0000-4000-8000-0000000000d3'),
  'generating', 'a generation still writing is left alone');

select * from finish();
rollback;
