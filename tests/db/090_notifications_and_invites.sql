-- Notifications written by the database (job ends, deletion scheduled, a referral completing), only as
-- the recipient's preferences allow; invite codes taken atomically; the tables' RLS and grants.
begin;
select plan(30);

\ir helpers.psql

select pg_temp.new_user('owner');
select pg_temp.new_user('other');
select pg_temp.new_user('muted');

create function pg_temp.notes(label text, note_type text) returns bigint language sql as $$
  select count(*) from public.notifications where user_id = pg_temp.id(label) and type = note_type
$$;

-- A job of `label`'s, claimed by a worker; its lease token is remembered as '<job>_token'.
create function pg_temp.claimed_job(label text, job text) returns void language plpgsql as $$
declare
  v_job uuid;
  v_token uuid;
begin
  insert into public.jobs (user_id, job_type, input_data) values (pg_temp.id(label), 'image_generation', '{"prompt": "x"}')
  returning id into v_job;
  update public.jobs set status = 'processing', lease_token = gen_random_uuid(), locked_until = now() + interval '1 minute',
                         attempts = 1, started_at = now()
   where id = v_job returning lease_token into v_token;
  perform pg_temp.remember(job, v_job::text);
  perform pg_temp.remember(job || '_token', v_token::text);
end
$$;

-- ---- jobs ----
select pg_temp.claimed_job('owner', 'done');
select ok(
  (select count(*) = 1 from private.complete_jobs(jsonb_build_array(jsonb_build_object(
     'id', pg_temp.id('done'), 'lease_token', pg_temp.id('done_token'), 'output', '{"images": []}'::jsonb)))),
  'the job completes');
select is(pg_temp.notes('owner', 'job_completed'), 1::bigint, 'a completed job notifies its owner');
select is(
  (select entity_id from public.notifications where user_id = pg_temp.id('owner') and type = 'job_completed'),
  pg_temp.id('done'), 'the notification names the job');

select pg_temp.claimed_job('owner', 'broken');
select is(private.fail_job(pg_temp.id('broken'), pg_temp.id('broken_token'), 'provider refused', true), 'failed',
  'the job fails for good');
select is(pg_temp.notes('owner', 'job_failed'), 1::bigint, 'a failed job notifies its owner');

select pg_temp.claimed_job('owner', 'retried');
select is(private.fail_job(pg_temp.id('retried'), pg_temp.id('retried_token'), 'try again', false), 'pending',
  'a retryable failure goes back to pending');
select is(pg_temp.notes('owner', 'job_failed'), 1::bigint, 'a job going back to pending tells nobody');

insert into public.jobs (user_id, job_type, input_data) values (pg_temp.id('owner'), 'image_generation', '{}')
returning id as cancelled_job \gset
select private.cancel_job(:'cancelled_job', pg_temp.id('owner'));
select is(pg_temp.notes('owner', 'job_failed'), 1::bigint, 'a job the user cancelled tells nobody');

-- ---- preferences ----
insert into public.notification_preferences (user_id, notify_job_status, notify_account_alerts)
values (pg_temp.id('muted'), false, false);
select pg_temp.claimed_job('muted', 'quiet');
select private.complete_jobs(jsonb_build_array(jsonb_build_object(
  'id', pg_temp.id('quiet'), 'lease_token', pg_temp.id('quiet_token'), 'output', '{}'::jsonb)));
select is(pg_temp.notes('muted', 'job_completed'), 0::bigint, 'notify_job_status off: no job notification');

-- ---- account deletion ----
update public.profiles set deletion_status = 'pending', deletion_requested_at = now(),
       deletion_scheduled_for = now() + interval '30 days'
 where id in (pg_temp.id('owner'), pg_temp.id('muted'));
select is(pg_temp.notes('owner', 'account_deletion'), 1::bigint, 'a scheduled deletion notifies the account');
select is(pg_temp.notes('muted', 'account_deletion'), 0::bigint, 'notify_account_alerts off: no deletion notice');
update public.profiles set bio = 'still pending' where id = pg_temp.id('owner');
select is(pg_temp.notes('owner', 'account_deletion'), 1::bigint, 'other changes to a pending account notify nothing');

-- ---- invite codes ----
select private.ensure_invite_code(pg_temp.id('owner'));
select matches(
  (select code from public.invite_codes where owner_id = pg_temp.id('owner')),
  '^POCKET-[A-Z0-9]{6}$', 'a user''s code is POCKET- and six characters');
select is(
  (select invite_code from public.profiles where id = pg_temp.id('owner')),
  (select code from public.invite_codes where owner_id = pg_temp.id('owner')),
  'the profile shows the user''s own code');
select is((private.ensure_invite_code(pg_temp.id('owner'))).code,
  (select code from public.invite_codes where owner_id = pg_temp.id('owner')), 'the code is created once');

insert into public.invite_codes (code, max_uses) values ('LAUNCH-2', 2);
select is((select outcome from private.take_invite_code(' launch-2 ')), 'taken', 'a code is compared trimmed and upper-cased');
select is((select outcome from private.take_invite_code('LAUNCH-2')), 'taken', 'its second use is taken');
select is((select outcome from private.take_invite_code('LAUNCH-2')), 'exhausted', 'a third use is refused');
select is((select uses_count from public.invite_codes where code = 'LAUNCH-2'), 2, 'never past max_uses');
select is((select outcome from private.take_invite_code('NOPE')), 'not_found', 'an unknown code is not found');
select throws_ok($$update public.invite_codes set uses_count = 3 where code = 'LAUNCH-2'$$, '23514', null,
  'the table itself keeps uses_count within max_uses');

-- ---- a referral completing when the invitee confirms ----
select pg_temp.new_user('invitee');
update auth.users set email_confirmed_at = null where id = pg_temp.id('invitee');
insert into public.referrals (inviter_id, email)
values (pg_temp.id('owner'), (select lower(email) from auth.users where id = pg_temp.id('invitee')));
select private.record_sign_up_code(pg_temp.id('invitee'),
  (select id from public.invite_codes where owner_id = pg_temp.id('owner')));
select is((select referred_by from public.profiles where id = pg_temp.id('invitee')), pg_temp.id('owner'),
  'the invitee''s profile records who referred them');
select is((select status from public.referrals where inviter_id = pg_temp.id('owner')), 'pending',
  'an unconfirmed invitee has not joined yet');
update auth.users set email_confirmed_at = now() where id = pg_temp.id('invitee');
select is((select status || '/' || reward_status from public.referrals where inviter_id = pg_temp.id('owner')),
  'joined/issued', 'confirming the email completes the referral');
select is(pg_temp.notes('owner', 'referral_bonus'), 1::bigint, 'the inviter is told');

-- ---- RLS and grants ----
select pg_temp.login('other');
select is((select count(*) from public.notifications), 0::bigint, 'nobody reads another user''s notifications');
select is((select count(*) from public.invite_codes), 0::bigint, 'nor their invite codes');
select is((select count(*) from public.referrals), 0::bigint, 'nor their invitations');
select throws_ok(
  format($$insert into public.notifications (user_id, type, content_summary) values (%L, 'job_completed', 'fake')$$,
         pg_temp.id('other')),
  '42501', null, 'users cannot write notifications');
select throws_ok(
  format($$insert into public.referrals (inviter_id, email, status) values (%L, 'x@example.test', 'joined')$$,
         pg_temp.id('other')),
  '42501', null, 'an invitation''s status is the server''s');
reset role;

select * from finish();
rollback;
