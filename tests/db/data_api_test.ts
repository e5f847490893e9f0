/**
 * The Data API side door stays shut, by rule: PostgREST serves every table of `public` to a user's token
 * as `authenticated`, beside the API. Every table there must have row level security and a declared
 * list of the columns the server owns; each of those is tried as PostgREST would run it (the user's
 * own claims, the user's own row) and must be refused or overwritten. A table added without its
 * declaration fails here.
 */
import assert from "node:assert/strict";
import type postgres from "postgres";
import { db } from "../helpers/env.ts";
import { OWN_ROW, ownTenantUpdates, SERVER_OWNED } from "../helpers/server_owned.ts";

const sql = db();

interface Fixture {
  uid: string;
  chat: string;
}

async function newUser(): Promise<Fixture> {
  const [{ id }] = await sql<{ id: string }[]>`
    insert into auth.users (instance_id, id, aud, role, email, raw_app_meta_data, raw_user_meta_data, created_at, updated_at)
    values ('00000000-0000-0000-0000-000000000000', gen_random_uuid(), 'authenticated', 'authenticated',
            'guard-' || gen_random_uuid() || '@example.test', '{"provider": "email"}', '{}', now(), now())
    returning id`;
  const [chat] = await sql<{ id: string }[]>`
    insert into public.chats (user_id, title) values (${id}, 'fixture') returning id`;
  await sql`insert into public.messages (chat_id, role, content) values (${chat.id}, 'user', 'fixture')`;
  await sql`insert into public.providers (user_id, provider) values (${id}, 'groq')`;
  await sql`insert into public.model_configs (user_id, provider, name, model) values (${id}, 'openai', 'm', 'm')`;
  await sql`insert into public.jobs (user_id, job_type, input_data) values (${id}, 'image_generation', '{}')`;
  await sql`select private.ensure_invite_code(${id})`;
  await sql`insert into public.referrals (inviter_id, email) values (${id}, ${`friend-${id}@example.test`})`;
  await sql`select private.notify(${id}, 'job_completed', null, 'fixture')`;
  await sql`insert into public.notification_preferences (user_id) values (${id})`;
  // Shared: another chat than `chat` (one share per chat), so OWN_ROW can share `chat` itself.
  const [shared] = await sql<{ id: string }[]>`
    insert into public.chats (user_id, title) values (${id}, 'shared fixture') returning id`;
  await sql`insert into public.chat_shares (chat_id, user_id, title) values (${shared.id}, ${id}, 'fixture')`;
  return { uid: id, chat: chat.id };
}

/** Runs `statement` as PostgREST would for the user, always rolled back; its error's SQLSTATE, or null. */
async function asDataApi(fixture: Fixture, statement: string): Promise<string | null> {
  const claims = JSON.stringify({ sub: fixture.uid, role: "authenticated", aud: "authenticated" });
  try {
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      await tx.unsafe(statement);
      throw new RollBack();
    });
  } catch (error) {
    if (error instanceof RollBack) return null;
    return (error as postgres.PostgresError).code ?? String(error);
  }
  return null;
}

class RollBack extends Error {}

const fill = (text: string, fixture: Fixture) =>
  text.replaceAll("$uid", `'${fixture.uid}'`).replaceAll("$chat", `'${fixture.chat}'`);

const exposedTables = async () => (await sql<{ name: string; rls: boolean }[]>`
    select c.relname as name, c.relrowsecurity as rls from pg_class c
    where c.relnamespace = 'public'::regnamespace and c.relkind in ('r', 'p') order by 1`);

Deno.test("every table the Data API exposes has row level security and declared server-owned columns", async () => {
  const tables = await exposedTables();
  assert.ok(tables.length >= 6, "the tables are read");
  assert.deepEqual(tables.filter((t) => !t.rls).map((t) => t.name), [], "tables without RLS");
  assert.deepEqual(
    tables.map((t) => t.name).filter((name) => !SERVER_OWNED[name] || !OWN_ROW[name]),
    [],
    "tables whose server-owned columns are not declared here",
  );
});

Deno.test("as PostgREST runs it, the owner cannot change a server-owned column of their own row", async () => {
  const fixture = await newUser();
  const allowed: string[] = [];
  for (const [name, query] of ownTenantUpdates(fixture.uid, fixture.chat)) {
    const code = await asDataApi(fixture, query);
    if (code !== "42501") allowed.push(`${name} (${code ?? "changed"})`);
  }
  assert.deepEqual(allowed, []);
});

Deno.test("as PostgREST runs it, an insert cannot set server-owned columns, and creation times are the server's", async () => {
  const fixture = await newUser();
  const allowed: string[] = [];
  for (const [table, guards] of Object.entries(SERVER_OWNED)) {
    const [columns, values] = OWN_ROW[table];
    for (const [column, value] of Object.entries(guards.insert ?? {})) {
      const statement = `insert into public.${table} (${columns}, ${column}) values (${
        fill(values, fixture)
      }, ${value})`;
      const code = await asDataApi(fixture, statement);
      if (code !== "42501") allowed.push(`${table}.${column} (${code ?? "stored"})`);
    }
  }
  assert.deepEqual(allowed, []);

  // A chosen creation time is replaced by the server's (the profile's own row exists already: skipped).
  const stamped: string[] = [];
  for (const table of Object.keys(SERVER_OWNED).filter((t) => t !== "profiles")) {
    const [columns, values] = OWN_ROW[table];
    const claims = JSON.stringify({ sub: fixture.uid, role: "authenticated", aud: "authenticated" });
    await sql.begin(async (tx) => {
      await tx`select set_config('role', 'authenticated', true), set_config('request.jwt.claims', ${claims}, true)`;
      const [row] = await tx.unsafe(
        `insert into public.${table} (${columns}, created_at) values (${fill(values, fixture)}, '2000-01-01')
         returning created_at`,
      );
      if (new Date(row.created_at).getUTCFullYear() === 2000) stamped.push(table);
      await tx`rollback`.catch(() => {});
    }).catch(() => {});
  }
  assert.deepEqual(stamped, [], "tables that kept a client-chosen created_at");
});

Deno.test("the guards are tried for real: the owner may change their own ordinary columns", async () => {
  const fixture = await newUser();
  assert.equal(
    await asDataApi(fixture, `update public.chats set title = 'renamed' where user_id = '${fixture.uid}'`),
    null,
  );
  assert.equal(
    await asDataApi(fixture, `update public.profiles set bio = 'mine' where id = '${fixture.uid}'`),
    null,
  );
});

Deno.test({
  name: "close the database client",
  fn: async () => await sql.end(),
  sanitizeOps: false,
  sanitizeResources: false,
});
