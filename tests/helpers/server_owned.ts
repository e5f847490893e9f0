/**
 * The columns of each public table the server owns (ids, owners, creation times, Vault references,
 * job state), with a write that tries to change each, and the minimal row a user may insert: the
 * Data API test (tests/db/data_api_test.ts) and the isolation proof try them as PostgREST would.
 * @module
 */

/** SQL expressions (over the row's own columns) that try to change a server-owned column. */
export type Attempts = Record<string, string>;

export interface Guards {
  /** Columns an UPDATE by the owner may not change (refused with 42501). */
  update: Attempts | "no update grant";
  /** Columns an INSERT may not set (refused with 42501). */
  insert?: Attempts;
}

const ID = "gen_random_uuid()";
const EARLIER = "created_at - interval '1 day'";

export const SERVER_OWNED: Record<string, Guards> = {
  profiles: {
    update: {
      id: ID,
      email: "'someone@else.test'",
      created_at: EARLIER,
      invite_code: "'POCKET-MINE00'",
      referral_code: "'POCKET-MINE00'",
      referred_by: ID,
    },
    insert: { invite_code: "'POCKET-MINE00'", referral_code: "'POCKET-MINE00'", referred_by: ID },
  },
  providers: {
    update: {
      id: ID,
      user_id: ID,
      provider: "case when provider = 'groq' then 'openai' else 'groq' end",
      created_at: EARLIER,
      vault_secret_id: ID,
      api_key_preview: "'sk-x****abcd'",
      api_key_hash: "repeat('0', 64)",
    },
    insert: { vault_secret_id: ID, api_key_preview: "'sk-x****abcd'", api_key_hash: "repeat('0', 64)" },
  },
  model_configs: { update: { id: ID, user_id: ID, created_at: EARLIER } },
  chats: { update: { id: ID, user_id: ID, created_at: EARLIER } },
  messages: {
    update: {
      id: ID,
      chat_id: ID,
      role: "case when role = 'user' then 'assistant' else 'user' end",
      created_at: EARLIER,
      parent_id: "id",
    },
  },
  attachments: {
    // Only chat_id and message_id may be written (linking); the rest is the server's.
    update: {
      id: ID,
      user_id: ID,
      kind: "case when kind = 'text' then 'image' else 'text' end",
      mime_type: "'image/png'",
      size: "size + 1",
      created_at: EARLIER,
    },
    insert: { id: ID, user_id: ID },
  },
  jobs: {
    update: "no update grant",
    insert: {
      status: "'completed'",
      attempts: "1",
      output_data: `'{"images": []}'::jsonb`,
      error_log: "'done'",
      lease_token: ID,
      locked_until: "now() + interval '1 hour'",
      cancelled_at: "now()",
      started_at: "now()",
      finished_at: "now()",
    },
  },
  invite_codes: {
    update: { uses_count: "0", max_uses: "1000", owner_id: ID, code: "'MINE'", is_active: "true" },
    insert: { uses_count: "0" },
  },
  referrals: {
    update: {
      status: "'joined'",
      reward_status: "'issued'",
      inviter_id: ID,
      invitee_id: ID,
      created_at: EARLIER,
    },
    insert: { status: "'joined'", reward_status: "'issued'", invitee_id: ID, accepted_at: "now()" },
  },
  notifications: {
    update: { user_id: ID, type: "'referral_bonus'", content_summary: "'forged'", created_at: EARLIER },
    insert: { is_read: "true" },
  },
  notification_preferences: { update: { user_id: ID, created_at: EARLIER } },
  // Written only by the API with the service role: no grant for anon or authenticated at all.
  waitlist_entries: {
    update: { id: ID, email: "'someone@else.test'", created_at: EARLIER },
    insert: { id: ID, created_at: "now() - interval '1 day'" },
  },
  chat_shares: {
    update: { share_id: "'chosen-share-id'", chat_id: ID, user_id: ID, created_at: EARLIER },
  },
};

/** The minimal row a user may insert into each table (with `$uid` and `$chat` filled in). */
export const OWN_ROW: Record<string, [columns: string, values: string]> = {
  profiles: ["id", "$uid"],
  providers: ["user_id, provider", "$uid, 'mistral'"],
  model_configs: ["user_id, provider, name, model", "$uid, 'openai', 'guard-test', 'gpt-4o-mini'"],
  chats: ["user_id, title", "$uid, 'guard test'"],
  messages: ["chat_id, role, content", "$chat, 'user', 'hello'"],
  jobs: ["user_id, job_type, input_data", `$uid, 'image_generation', '{"prompt": "x"}'::jsonb`],
  invite_codes: ["code, owner_id", "'MINE-' || gen_random_uuid(), $uid"],
  referrals: ["inviter_id, email", "$uid, 'guard-' || gen_random_uuid() || '@example.test'"],
  notifications: ["user_id, type, content_summary", "$uid, 'job_completed', 'forged'"],
  notification_preferences: ["user_id", "$uid"],
  waitlist_entries: ["full_name, email", "'Guard', 'guard-' || gen_random_uuid() || '@example.test'"],
  attachments: ["kind, mime_type, name, size", "'text', 'text/plain', 'a.txt', 1"],
  chat_shares: ["chat_id, title", "$chat, 'guard test'"],
};

/** The condition naming a user's own rows of `table` (`$uid`, `$chat` filled in by the caller). */
export const OWNED_BY: Record<string, string> = {
  profiles: "id = $uid",
  providers: "user_id = $uid",
  model_configs: "user_id = $uid",
  chats: "user_id = $uid",
  messages: "chat_id = $chat",
  jobs: "user_id = $uid",
  invite_codes: "owner_id = $uid",
  referrals: "inviter_id = $uid",
  notifications: "user_id = $uid",
  notification_preferences: "user_id = $uid",
  // Nobody owns an entry: every row is tried.
  waitlist_entries: "true",
  attachments: "user_id = $uid",
  chat_shares: "user_id = $uid",
};

/** Each declared update of a server-owned column, as SQL on the user's own rows. */
export function ownTenantUpdates(uid: string, chat: string): [name: string, query: string][] {
  const fill = (text: string) => text.replaceAll("$uid", `'${uid}'`).replaceAll("$chat", `'${chat}'`);
  return Object.entries(SERVER_OWNED).flatMap(([table, guards]) => {
    const attempts = guards.update === "no update grant" ? { status: "'completed'" } : guards.update;
    return Object.entries(attempts).map(([column, value]): [string, string] => [
      `own ${table}.${column}`,
      `update public.${table} set ${column} = ${value} where ${fill(OWNED_BY[table])}`,
    ]);
  });
}
