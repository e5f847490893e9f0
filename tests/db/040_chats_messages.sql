-- Models, chats and messages: the one-default rule, documented limits, owner-only access (messages
-- through their chat), cross-user references refused, and what deletes take with them.
begin;
select plan(44);

\ir helpers.psql

select pg_temp.new_user('owner');
select pg_temp.new_user('stranger');

-- -----------------------------------------------------------------------------------------------------
-- Owner: models and the one-default rule
-- -----------------------------------------------------------------------------------------------------

select pg_temp.login('owner');
insert into public.providers (user_id, provider) values (pg_temp.id('owner'), 'openai');
select pg_temp.remember('provider', (select id::text from public.providers where user_id = pg_temp.id('owner')));

select lives_ok(
  $$ insert into public.model_configs (user_id, provider_id, provider, name, model, is_default)
     values (pg_temp.id('owner'), pg_temp.id('provider'), 'openai', 'gpt-4o', 'gpt-4o', true) $$,
  'owner saves a default model'
);
select pg_temp.remember('model_a', (select id::text from public.model_configs where user_id = pg_temp.id('owner') and name = 'gpt-4o'));
select results_eq(
  $$ select temperature, max_tokens, top_p, frequency_penalty, presence_penalty, metadata
     from public.model_configs where id = pg_temp.id('model_a') $$,
  $$ values (0.7::double precision, 2048, 1.0::double precision, 0::double precision, 0::double precision, '{}'::jsonb) $$,
  'settings default to the API''s defaults'
);
insert into public.model_configs (user_id, provider_id, provider, name, model)
values (pg_temp.id('owner'), pg_temp.id('provider'), 'openai', 'gpt-4o-mini', 'gpt-4o-mini');
select pg_temp.remember('model_b', (select id::text from public.model_configs where user_id = pg_temp.id('owner') and name = 'gpt-4o-mini'));

select throws_ok(
  $$ update public.model_configs set is_default = true where id = pg_temp.id('model_b') $$,
  '23505', null, 'a second default model for the same user is refused'
);
select lives_ok(
  $$ update public.model_configs set is_default = false where id = pg_temp.id('model_a');
     update public.model_configs set is_default = true where id = pg_temp.id('model_b') $$,
  'moving the default (clear, then set) works'
);
select is(
  (select array_agg(name) from public.model_configs where user_id = pg_temp.id('owner') and is_default),
  array['gpt-4o-mini'],
  'the user has exactly one default'
);
select throws_ok(
  $$ insert into public.model_configs (user_id, provider, name, model) values (pg_temp.id('owner'), 'openai', 'gpt-4o', 'x') $$,
  '23505', null, 'a model name is unique per user'
);
select throws_ok(
  $$ update public.model_configs set temperature = 2.5 where id = pg_temp.id('model_a') $$, '23514', null, 'temperature is 0..2');
select throws_ok(
  $$ update public.model_configs set top_p = 1.5 where id = pg_temp.id('model_a') $$, '23514', null, 'top_p is 0..1');
select throws_ok(
  $$ update public.model_configs set max_tokens = 15 where id = pg_temp.id('model_a') $$, '23514', null, 'max_tokens is at least 16');
select throws_ok(
  $$ update public.model_configs set presence_penalty = 3 where id = pg_temp.id('model_a') $$, '23514', null, 'presence_penalty is 0..2');
select throws_ok(
  $$ update public.model_configs set frequency_penalty = -1 where id = pg_temp.id('model_a') $$, '23514', null, 'frequency_penalty is 0..2');

-- -----------------------------------------------------------------------------------------------------
-- Owner: chats and messages
-- -----------------------------------------------------------------------------------------------------

insert into public.chats (user_id, model_config_id) values (pg_temp.id('owner'), pg_temp.id('model_a'));
select pg_temp.remember('chat', (select id::text from public.chats where user_id = pg_temp.id('owner')));
select is(
  (select title from public.chats where id = pg_temp.id('chat')),
  'Untitled chat',
  'a chat is titled "Untitled chat" by default'
);
select throws_ok(
  $$ update public.chats set title = repeat('t', 121) where id = pg_temp.id('chat') $$, '23514', null, 'a title is at most 120 characters');
select throws_ok(
  $$ update public.chats set title = '' where id = pg_temp.id('chat') $$, '23514', null, 'a title is not empty');

reset role;
update public.chats set updated_at = now() - interval '1 hour' where id = pg_temp.id('chat');
select pg_temp.login('owner');
select lives_ok(
  $$ insert into public.messages (chat_id, role, content) values (pg_temp.id('chat'), 'user', 'Hello') $$,
  'owner adds a message to their chat'
);
select is(
  (select updated_at from public.chats where id = pg_temp.id('chat')),
  now(),
  'adding a message bumps the chat''s updated_at'
);
insert into public.messages (chat_id, role, content, metadata)
values (pg_temp.id('chat'), 'assistant', 'Hi!', '{"provider": "openai", "usage": {"prompt_tokens": 3}}');
select pg_temp.remember('message', (select id::text from public.messages where chat_id = pg_temp.id('chat') and role = 'user'));
select is(
  (select count(*)::int from public.messages where chat_id = pg_temp.id('chat')),
  2,
  'owner sees their chat''s messages'
);
select throws_ok(
  $$ insert into public.messages (chat_id, role, content) values (pg_temp.id('chat'), 'robot', 'x') $$,
  '23514', null, 'a role is user, assistant or system'
);
select throws_ok(
  $$ insert into public.messages (chat_id, role, content) values (pg_temp.id('chat'), 'user', '') $$,
  '23514', null, 'a user message has content'
);
select throws_ok(
  $$ update public.messages set role = 'system' where id = pg_temp.id('message') $$,
  '42501', null, 'a message''s role cannot be changed'
);

-- -----------------------------------------------------------------------------------------------------
-- Stranger
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.login('stranger');

select is_empty($$ select id from public.chats where user_id = pg_temp.id('owner') $$, 'a stranger cannot see the owner''s chats');
select is_empty($$ select id from public.messages where chat_id = pg_temp.id('chat') $$, 'a stranger cannot see the owner''s messages');
select is_empty(
  $$ select id from public.model_configs where user_id = pg_temp.id('owner') $$, 'a stranger cannot see the owner''s models');
select throws_ok(
  $$ insert into public.messages (chat_id, content) values (pg_temp.id('chat'), 'injected') $$,
  '42501', null, 'a stranger cannot add a message to the owner''s chat'
);
select is_empty(
  $$ update public.chats set title = 'pwned' where id = pg_temp.id('chat') returning id $$,
  'a stranger''s update of the owner''s chat changes nothing'
);
select is_empty(
  $$ update public.messages set content = 'pwned' where chat_id = pg_temp.id('chat') returning id $$,
  'a stranger''s update of the owner''s messages changes nothing'
);
select is_empty(
  $$ delete from public.messages where chat_id = pg_temp.id('chat') returning id $$,
  'a stranger''s delete of the owner''s messages deletes nothing'
);
select is_empty(
  $$ delete from public.chats where id = pg_temp.id('chat') returning id $$,
  'a stranger''s delete of the owner''s chat deletes nothing'
);
select is_empty(
  $$ update public.model_configs set is_default = false where user_id = pg_temp.id('owner') returning id $$,
  'a stranger''s update of the owner''s models changes nothing'
);
select is_empty(
  $$ delete from public.model_configs where user_id = pg_temp.id('owner') returning id $$,
  'a stranger''s delete of the owner''s models deletes nothing'
);
select throws_ok(
  $$ insert into public.chats (user_id, title) values (pg_temp.id('owner'), 'planted') $$,
  '42501', null, 'a stranger cannot create a chat in the owner''s name'
);
select throws_ok(
  $$ insert into public.chats (user_id, model_config_id) values (pg_temp.id('stranger'), pg_temp.id('model_a')) $$,
  '23503', null, 'a stranger''s chat cannot use the owner''s model'
);
select throws_ok(
  $$ insert into public.model_configs (user_id, provider_id, provider, name, model)
     values (pg_temp.id('stranger'), pg_temp.id('provider'), 'openai', 'borrowed', 'gpt-4o') $$,
  '23503', null, 'a stranger''s model cannot use the owner''s provider (and key)'
);
insert into public.chats (user_id, title) values (pg_temp.id('stranger'), 'mine');
select throws_ok(
  $$ update public.chats set user_id = pg_temp.id('owner') where user_id = pg_temp.id('stranger') $$,
  '42501', null, 'a stranger cannot hand their chat to another user'
);
select lives_ok(
  $$ insert into public.model_configs (user_id, provider, name, model, is_default)
     values (pg_temp.id('stranger'), 'groq', 'gpt-4o', 'llama', true) $$,
  'another user may use the same model name and have their own default'
);

-- -----------------------------------------------------------------------------------------------------
-- Anonymous
-- -----------------------------------------------------------------------------------------------------

reset role;
select pg_temp.login_anon();
select throws_ok($$ select * from public.chats $$, '42501', null, 'anon cannot read chats');
select throws_ok($$ select * from public.messages $$, '42501', null, 'anon cannot read messages');
select throws_ok($$ select * from public.model_configs $$, '42501', null, 'anon cannot read models');
select throws_ok(
  $$ insert into public.messages (chat_id, content) values (gen_random_uuid(), 'x') $$, '42501', null, 'anon cannot write messages');

-- -----------------------------------------------------------------------------------------------------
-- Service role, and what deletes take with them
-- -----------------------------------------------------------------------------------------------------

reset role;
set local role service_role;
select is(
  (select count(*)::int from public.chats where user_id in (pg_temp.id('owner'), pg_temp.id('stranger'))),
  2,
  'service_role sees every user''s chats'
);
select results_eq(
  $$ select title, (select count(*)::int from public.messages m where m.chat_id = c.id) from public.chats c
     where c.id = pg_temp.id('chat') $$,
  $$ values ('Untitled chat'::text, 2) $$,
  'the stranger''s attempts left the owner''s chat and messages as they were'
);

reset role;
select pg_temp.login('owner');
delete from public.model_configs where id = pg_temp.id('model_a');
select is(
  (select model_config_id from public.chats where id = pg_temp.id('chat')),
  null,
  'deleting a model leaves its chats without a model'
);
delete from public.providers where id = pg_temp.id('provider');
select is(
  (select provider_id from public.model_configs where id = pg_temp.id('model_b')),
  null,
  'deleting a provider keeps its models with provider_id cleared'
);
delete from public.chats where id = pg_temp.id('chat');
reset role;
select is_empty($$ select id from public.messages where chat_id = pg_temp.id('chat') $$, 'deleting a chat deletes its messages');

select * from finish();
rollback;
