/**
 * Notifications and their preferences as the app uses them (API-LATER.md §4, §5), under both the
 * contract's paths and the app's doubled `/v1/v1/` prefix: created by the database when an image job
 * ends or a deletion is scheduled, listed newest first, counted, marked read; preferences change only
 * the switches sent and silence what they switch off.
 */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { db } from "../helpers/env.ts";
import { NOTIFICATION, NOTIFICATION_PREFERENCES, parses } from "../helpers/app_parser.ts";
import { startFakeImages } from "../helpers/fake_images.ts";
import { giveImageProvider, waitFor } from "../helpers/jobs.ts";

const notifications = (user: TestUser, query = "") =>
  call(`/v1/v1/notifications${query}`, { token: user.token });
const unread = async (user: TestUser) =>
  (await call("/v1/v1/notifications/unread-count", { token: user.token })).body.count;
const scheduleDeletion = (user: TestUser) =>
  call("/v1/users/profile/deletion", { method: "POST", token: user.token });

Deno.test("a fresh account: no notifications, nothing unread, every switch on", async () => {
  const user = await signUpUser();
  for (const prefix of ["/v1", "/v1/v1"]) {
    const list = await call(`${prefix}/notifications`, { token: user.token });
    assert.equal(list.status, 200);
    assert.deepEqual(list.body, []);
    const count = await call(`${prefix}/notifications/unread-count`, { token: user.token });
    assert.deepEqual(count.body, { count: 0 });
    const preferences = await call(`${prefix}/notification-preferences`, { token: user.token });
    parses(preferences.body, NOTIFICATION_PREFERENCES, "GET /v1/notification-preferences");
    assert.ok(Object.values(preferences.body).every((value) => value === true));
  }
});

Deno.test("a scheduled deletion notifies; reading one marks it; others' and unknown ids are 404", async () => {
  const [user, other] = await Promise.all([signUpUser(), signUpUser()]);
  assert.equal((await scheduleDeletion(user)).status, 200);
  const list = await notifications(user);
  assert.equal(list.body.length, 1);
  const [note] = list.body;
  parses(note, NOTIFICATION, "GET /v1/notifications[0]");
  assert.equal(note.type, "account_deletion");
  assert.equal(note.user_id, user.id);
  assert.equal(note.is_read, false);
  assert.match(note.content_summary, /deleted on \d{4}-\d\d-\d\d/);
  assert.equal(await unread(user), 1);

  for (const [who, id] of [[other, note.id], [user, crypto.randomUUID()]] as const) {
    const refused = await call(`/v1/v1/notifications/${id}/read`, { method: "PATCH", token: who.token });
    assert.equal(refused.status, 404);
    assert.equal(typeof refused.body.message, "string");
  }
  assert.equal(
    (await call("/v1/notifications/nope/read", { method: "PATCH", token: user.token })).status,
    422,
  );
  assert.equal(await unread(user), 1, "refused reads changed nothing");

  const read = await call(`/v1/notifications/${note.id}/read`, { method: "PATCH", token: user.token });
  assert.equal(read.status, 200);
  parses(read.body, NOTIFICATION, "PATCH read");
  assert.equal(read.body.is_read, true);
  assert.equal(await unread(user), 0);
  assert.deepEqual(await notifications(other).then((answer) => answer.body), []);
});

Deno.test("mark-all-read says how many changed; the list pages newest first", async () => {
  const user = await signUpUser();
  await scheduleDeletion(user);
  await call("/v1/users/profile/deletion/cancel", { method: "POST", token: user.token });
  await scheduleDeletion(user);
  const first = await notifications(user, "?limit=1");
  assert.equal(first.body.length, 1);
  const cursor = first.headers.get("x-next-cursor");
  assert.ok(cursor, "a next page is announced");
  const second = await notifications(user, `?limit=1&before=${cursor}`);
  assert.equal(second.body.length, 1);
  assert.ok(second.body[0].created_at <= first.body[0].created_at);

  const all = await call("/v1/v1/notifications/mark-all-read", { method: "POST", token: user.token });
  assert.deepEqual(all.body, { message: "All notifications marked as read", updated: 2 });
  const again = await call("/v1/notifications/mark-all-read", { method: "POST", token: user.token });
  assert.equal(again.body.updated, 0);
});

Deno.test("preferences: only the switches sent change; a non-boolean is 422 and changes nothing", async () => {
  const user = await signUpUser();
  const put = (body: unknown) =>
    call("/v1/v1/notification-preferences", { method: "PUT", token: user.token, body });
  const changed = await put({ notify_account_alerts: false, theme: "dark" });
  assert.equal(changed.status, 200, JSON.stringify(changed.body));
  assert.deepEqual(changed.body, {
    notify_job_status: true,
    notify_account_alerts: false,
    notify_referral_rewards: true,
    notify_product_updates: true,
  });
  const next = await put({ notify_product_updates: false });
  assert.equal(next.body.notify_account_alerts, false, "an earlier switch is kept");
  assert.equal(next.body.notify_product_updates, false);
  for (const bad of [{ notify_job_status: "no" }, { notify_job_status: null }, { notify_job_status: 0 }]) {
    const refused = await put(bad);
    assert.equal(refused.status, 422, JSON.stringify(bad));
  }
  const stored = await call("/v1/notification-preferences", { token: user.token });
  assert.deepEqual(stored.body, next.body);

  await scheduleDeletion(user);
  assert.deepEqual((await notifications(user)).body, [], "account alerts switched off: no notice");
});

Deno.test("an image job that completes notifies its owner (written by the database, as the worker finishes it)", async () => {
  const sql = db();
  const fake = startFakeImages();
  try {
    const user = await signUpUser();
    await giveImageProvider(sql, user.id, fake.baseUrl);
    const created = await call("/v1/jobs/image-generation", {
      method: "POST",
      token: user.token,
      body: { job_type: "image_generation", input_data: { prompt: "a lighthouse" } },
    });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    const [note] = await waitFor("the job's notification", async () => {
      const list = (await notifications(user)).body;
      return list.length > 0 ? list : undefined;
    });
    assert.equal(note.type, "job_completed");
    assert.equal(note.entity_id, created.body.job_id);
    assert.equal(note.data.job_type, "image_generation");
  } finally {
    fake.release();
    await fake.close();
    await sql.end();
  }
});
