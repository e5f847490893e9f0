/**
 * Chat test helpers: a saved model configuration made directly in SQL (the models routes are
 * another domain's), chats made through the API, and row counts read as the database owner.
 * @module
 */
import assert from "node:assert/strict";
import { call, type TestUser } from "./api.ts";
import { db } from "./env.ts";

/** Runs `work` with a database client (as `postgres`, RLS bypassed) and closes it. */
export async function withDb<T>(work: (sql: ReturnType<typeof db>) => Promise<T>): Promise<T> {
  const sql = db();
  try {
    return await work(sql);
  } finally {
    await sql.end();
  }
}

/** A model configuration of `user`, inserted directly (columns of supabase/migrations/*_models.sql). */
export function createModelConfig(user: TestUser, name = `model-${crypto.randomUUID().slice(0, 8)}`) {
  return withDb(async (sql) => {
    const [row] = await sql<{ id: string }[]>`
      insert into public.model_configs (user_id, provider, name, model)
      values (${user.id}, 'openai', ${name}, 'gpt-4o-mini') returning id`;
    return row.id;
  });
}

/** A new chat of `user`, through the API. */
export async function createChat(user: TestUser, body: Record<string, unknown> = {}) {
  const { status, body: chat } = await call("/v1/chats", { method: "POST", token: user.token, body });
  assert.equal(status, 200, JSON.stringify(chat));
  return chat;
}

/** Adds a message through the API and returns it. */
export async function addMessage(user: TestUser, chatId: string, content: string) {
  const { status, body } = await call(`/v1/chats/${chatId}/messages`, {
    method: "POST",
    token: user.token,
    body: { content },
  });
  assert.equal(status, 200, JSON.stringify(body));
  return body;
}

/** How many chats and messages `user` has, counted as the database owner. */
export function countRows(user: TestUser) {
  return withDb(async (sql) => {
    const [row] = await sql<{ chats: number; messages: number }[]>`
      select (select count(*)::int from public.chats where user_id = ${user.id}) as chats,
             (select count(*)::int from public.messages m join public.chats c on c.id = m.chat_id
               where c.user_id = ${user.id}) as messages`;
    return row;
  });
}
