/**
 * A user's rows in every table that holds user data, read as the database owner: the before/after
 * comparison that shows another user's attempts changed nothing.
 * @module
 */
import { withDb } from "../../../tests/helpers/chats.ts";

export type UserSnapshot = Map<string, string>;

/** `table → rows as JSON text`, for everything `userId` owns (Vault secrets decrypted). */
export function snapshotUser(userId: string): Promise<UserSnapshot> {
  return withDb(async (sql) => {
    const rows = await sql<{ source: string; rows: string }[]>`
      select 'profiles' as source, coalesce(jsonb_agg(to_jsonb(p) order by p.id), '[]')::text as rows
        from public.profiles p where p.id = ${userId}
      union all select 'providers', coalesce(jsonb_agg(to_jsonb(p) order by p.id), '[]')::text
        from public.providers p where p.user_id = ${userId}
      union all select 'model_configs', coalesce(jsonb_agg(to_jsonb(m) order by m.id), '[]')::text
        from public.model_configs m where m.user_id = ${userId}
      union all select 'chats', coalesce(jsonb_agg(to_jsonb(c) order by c.id), '[]')::text
        from public.chats c where c.user_id = ${userId}
      union all select 'messages', coalesce(jsonb_agg(to_jsonb(m) order by m.id), '[]')::text
        from public.messages m join public.chats c on c.id = m.chat_id where c.user_id = ${userId}
      union all select 'jobs', coalesce(jsonb_agg(to_jsonb(j) order by j.id), '[]')::text
        from public.jobs j where j.user_id = ${userId}
      union all select 'invite_codes', coalesce(jsonb_agg(to_jsonb(i) order by i.id), '[]')::text
        from public.invite_codes i where i.owner_id = ${userId}
      union all select 'referrals', coalesce(jsonb_agg(to_jsonb(r) order by r.id), '[]')::text
        from public.referrals r where r.inviter_id = ${userId}
      union all select 'notifications', coalesce(jsonb_agg(to_jsonb(n) order by n.id), '[]')::text
        from public.notifications n where n.user_id = ${userId}
      union all select 'notification_preferences', coalesce(jsonb_agg(to_jsonb(n)), '[]')::text
        from public.notification_preferences n where n.user_id = ${userId}
      union all select 'attachments', coalesce(jsonb_agg(to_jsonb(a) order by a.id), '[]')::text
        from public.attachments a where a.user_id = ${userId}
      union all select 'chat_shares', coalesce(jsonb_agg(to_jsonb(s) order by s.share_id), '[]')::text
        from public.chat_shares s where s.user_id = ${userId}
      union all select 'vault', coalesce(jsonb_agg(jsonb_build_array(s.name, s.decrypted_secret, s.updated_at)
          order by s.name), '[]')::text
        from vault.decrypted_secrets s where s.name like ${`%/${userId}/%`}
      union all select 'storage', coalesce(jsonb_agg(jsonb_build_array(o.name, o.updated_at) order by o.name),
          '[]')::text
        from storage.objects o where o.name like ${`${userId}/%`} or o.name like ${`profiles/${userId}/%`}`;
    return new Map(rows.map((row) => [row.source, row.rows]));
  });
}

/** The tables whose rows differ between two snapshots. */
export function changedTables(before: UserSnapshot, after: UserSnapshot): string[] {
  return [...before.keys()].filter((table) => before.get(table) !== after.get(table));
}

/** How many rows the snapshot holds, for the report. */
export function rowCount(snapshot: UserSnapshot): number {
  return [...snapshot.values()].reduce((sum, rows) => sum + (JSON.parse(rows) as unknown[]).length, 0);
}
