/**
 * In-app notifications and their preferences (API-LATER.md §4, §5). The database writes the
 * notifications (private.notify, from triggers); here they are read and marked read, as the caller
 * (RLS applies). A missing preferences row reads as every switch on.
 * @module
 */
import { type KeysetSpec, type Page, type PageRequest, readPage } from "../db/paging.ts";
import type { Reader } from "../db/client.ts";
import { notFound } from "../errors/api-error.ts";
import {
  type Notification,
  type NotificationPreferences,
  type NotificationPreferencesUpdate,
  PREFERENCE_NAMES,
} from "./schemas.ts";

const NOTIFICATIONS: KeysetSpec = { table: "notifications", sortColumn: "created_at", listOrder: "desc" };

/** A page of the caller's notifications, newest first. */
export function listNotifications(
  read: Reader,
  userId: string,
  request: PageRequest,
): Promise<Page<Notification>> {
  return readPage(read, request, NOTIFICATIONS, (tx, page) =>
    tx<Notification[]>`
      select id, user_id, type, entity_id, content_summary, data, is_read, created_at
        from public.notifications
       where user_id = ${userId} ${page.condition}
       order by ${page.order} limit ${page.fetch}`);
}

/** How many of the caller's notifications are unread (read from the partial index of unread ones). */
export async function unreadCount(read: Reader, userId: string): Promise<{ count: number }> {
  const [row] = await read((tx) =>
    tx<{ count: number }[]>`
      select count(*)::int as count from public.notifications where user_id = ${userId} and not is_read`
  );
  return row;
}

/** Marks one notification read; unknown or someone else's → 404. */
export async function markRead(read: Reader, userId: string, id: string): Promise<Notification> {
  const [row] = await read((tx) =>
    tx<Notification[]>`
      update public.notifications set is_read = true
       where id = ${id} and user_id = ${userId}
      returning id, user_id, type, entity_id, content_summary, data, is_read, created_at`
  );
  if (!row) throw notFound("Notification not found.");
  return row;
}

export async function markAllRead(read: Reader, userId: string) {
  const [{ updated }] = await read((tx) =>
    tx<{ updated: number }[]>`
      with marked as (
        update public.notifications set is_read = true where user_id = ${userId} and not is_read returning 1
      )
      select count(*)::int as updated from marked`
  );
  return { message: "All notifications marked as read", updated };
}

const DEFAULTS = Object.fromEntries(PREFERENCE_NAMES.map((name) => [name, true])) as NotificationPreferences;

export async function getPreferences(read: Reader, userId: string): Promise<NotificationPreferences> {
  const [row] = await read((tx) =>
    tx<NotificationPreferences[]>`
      select ${tx(PREFERENCE_NAMES)} from public.notification_preferences where user_id = ${userId}`
  );
  return row ?? DEFAULTS;
}

/** Changes only the switches sent (a first change creates the row with the others on). */
export async function updatePreferences(
  read: Reader,
  userId: string,
  update: NotificationPreferencesUpdate,
): Promise<NotificationPreferences> {
  const sent = PREFERENCE_NAMES.filter((name) => update[name] !== undefined);
  if (sent.length === 0) return await getPreferences(read, userId);
  const values = Object.fromEntries(sent.map((name) => [name, update[name]!]));
  const [row] = await read((tx) =>
    tx<NotificationPreferences[]>`
      insert into public.notification_preferences ${tx({ user_id: userId, ...values })}
      on conflict (user_id) do update set ${tx(values, ...sent)}
      returning ${tx(PREFERENCE_NAMES)}`
  );
  return row;
}
