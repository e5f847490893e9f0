/**
 * Direct SQL as PostgREST would run it for user B (role `authenticated`, forged `request.jwt.claims`)
 * and for `anon`: reading, changing, deleting and inserting A's rows in every public table, reading
 * Vault and Auth, and calling every private function; and B writing the server-owned columns of B's
 * own rows (tests/helpers/server_owned.ts). Each attempt runs in a savepoint and the whole
 * transaction is rolled back, so nothing here changes the database even if an attempt succeeded.
 * @module
 */
import { withDb } from "../../../tests/helpers/chats.ts";
import { ownTenantUpdates } from "../../../tests/helpers/server_owned.ts";
import type { Db } from "../../../tests/helpers/jobs.ts";
import type { SeededUser } from "./seed.ts";

export interface SqlAttempt {
  name: string;
  query: string;
  /** Succeeded: read or changed at least one row, or ran a function, instead of failing. */
  succeeded: boolean;
}

/** Tables only the API writes, with the service role: no user reaches a row, not even its sender's. */
const SERVER_ONLY = new Set(["waitlist_entries"]);

/**
 * How each public table says whose a row is, a row of A's that B might try to insert, and the
 * column naming a row's owner (B tries to hand its own rows to A through it).
 */
interface TablePlan {
  owned: string;
  insert: string;
  owner?: string;
  /** An update B's role may make to its own rows (default `created_at = created_at`). */
  touch?: string;
}

function tablePlans(victim: SeededUser): Record<string, TablePlan> {
  const a = `'${victim.user.id}'`;
  const chat = `'${victim.chatIds[0]}'`;
  return {
    profiles: { owned: `id = ${a}`, insert: `(id) values (${a})` },
    providers: {
      owned: `user_id = ${a}`,
      insert: `(user_id, provider) values (${a}, 'mistral')`,
      owner: "user_id",
    },
    model_configs: {
      owned: `user_id = ${a}`,
      insert: `(user_id, provider, name, model) values (${a}, 'openai', 'b-made', 'gpt-4o')`,
      owner: "user_id",
    },
    chats: { owned: `user_id = ${a}`, insert: `(user_id, title) values (${a}, 'b-made')`, owner: "user_id" },
    messages: {
      owned: `chat_id in (select id from public.chats where user_id = ${a})`,
      insert: `(chat_id, role, content) values (${chat}, 'user', 'b-made')`,
    },
    jobs: {
      owned: `user_id = ${a}`,
      insert: `(user_id, job_type, input_data) values (${a}, 'image_generation', '{"prompt": "b"}')`,
      owner: "user_id",
    },
    invite_codes: {
      owned: `owner_id = ${a}`,
      insert: `(code, owner_id) values ('B-MADE', ${a})`,
      owner: "owner_id",
    },
    referrals: {
      owned: `inviter_id = ${a}`,
      insert: `(inviter_id, email) values (${a}, 'b-made@example.test')`,
      owner: "inviter_id",
    },
    notifications: {
      owned: `user_id = ${a}`,
      insert: `(user_id, type, content_summary) values (${a}, 'job_completed', 'b-made')`,
      owner: "user_id",
      touch: "is_read = not is_read",
    },
    notification_preferences: {
      owned: `user_id = ${a}`,
      insert: `(user_id, notify_job_status) values (${a}, false)`,
      owner: "user_id",
    },
    waitlist_entries: { owned: "true", insert: WAITLIST_INSERT },
    attachments: {
      owned: `user_id = ${a}`,
      insert: `(chat_id, kind, mime_type, name, size) values (${chat}, 'text', 'text/plain', 'b.txt', 1)`,
      owner: "user_id",
      touch: `chat_id = chat_id`,
    },
    chat_shares: {
      owned: `user_id = ${a}`,
      insert: `(chat_id, user_id, title) values ('${victim.chatIds[1]}', ${a}, 'b-made')`,
      owner: "user_id",
    },
  };
}

const WAITLIST_INSERT =
  "(full_name, email) values ('b-made', 'b-made-' || gen_random_uuid() || '@example.test')";

function authenticatedQueries(victim: SeededUser, attacker: SeededUser, tables: string[]) {
  const plans = tablePlans(victim);
  const a = `'${victim.user.id}'`;
  const queries: [string, string][] = [];
  for (const table of tables) {
    const plan = plans[table];
    if (!plan) {
      throw new Error(`public.${table} has no isolation plan: add it to proof/support/sql_attacks.ts`);
    }
    queries.push(
      [`select ${table}`, `select count(*)::int as n from public.${table} where ${plan.owned}`],
      [
        `update ${table}`,
        `update public.${table} set ${plan.touch ?? "created_at = created_at"} where ${plan.owned}`,
      ],
      [`delete ${table}`, `delete from public.${table} where ${plan.owned}`],
      [`insert ${table} as A`, `insert into public.${table} ${plan.insert}`],
    );
    if (plan.owner) {
      const b = `'${attacker.user.id}'`;
      queries.push([
        `give own ${table} row to A`,
        `update public.${table} set ${plan.owner} = ${a} where ${plan.owner} = ${b}`,
      ]);
    }
  }
  queries.push(
    ["select vault.secrets", "select count(*)::int as n from vault.secrets"],
    ["select vault.decrypted_secrets", "select count(*)::int as n from vault.decrypted_secrets"],
    ["select auth.users", `select count(*)::int as n from auth.users where id = ${a}`],
    ["select auth.sessions", `select count(*)::int as n from auth.sessions where user_id = ${a}`],
    [
      "select A's stored images",
      `select count(*)::int as n from storage.objects where name like '${victim.user.id}/%'`,
    ],
    ["delete A's stored images", `delete from storage.objects where name like '${victim.user.id}/%'`],
    ["search A's words", `select count(*)::int as n from search.chat_hits('${victim.marker}', 100)`],
  );
  return queries;
}

function anonQueries(tables: string[]): [string, string][] {
  return [
    ...tables.map((
      table,
    ): [string, string] => [`anon select ${table}`, `select count(*)::int as n from public.${table}`]),
    ...[...SERVER_ONLY].map((table): [string, string] => [
      `anon insert ${table}`,
      `insert into public.${table} ${WAITLIST_INSERT}`,
    ]),
    ["anon select vault.decrypted_secrets", "select count(*)::int as n from vault.decrypted_secrets"],
    ["anon select storage.objects", "select count(*)::int as n from storage.objects"],
    ["anon select auth.users", "select count(*)::int as n from auth.users"],
  ];
}

async function privateFunctionCalls(sql: Db): Promise<[string, string][]> {
  const rows = await sql<{ name: string; args: string }[]>`
    select p.proname as name,
           coalesce(string_agg('null::' || format_type(t.oid, null), ', ' order by a.ordinality), '') as args
    from pg_proc p join pg_namespace n on n.oid = p.pronamespace
    left join lateral unnest(p.proargtypes) with ordinality as a(type, ordinality) on true
    left join pg_type t on t.oid = a.type
    where n.nspname = 'private' group by p.oid, p.proname order by p.proname`;
  return rows.map(({ name, args }) => [`call private.${name}`, `select private.${name}(${args})`]);
}

/** Runs `queries` in one transaction as `role` with `claims`, each in a savepoint; always rolled back. */
async function attempt(sql: Db, role: string, claims: unknown, queries: [string, string][]) {
  const attempts: SqlAttempt[] = [];
  await sql.begin(async (tx) => {
    await tx`select set_config('role', ${role}, true), set_config('request.jwt.claims', ${
      JSON.stringify(claims)
    }, true)`;
    for (const [name, query] of queries) {
      const succeeded = await tx.savepoint(async (sp) => {
        const result = await sp.unsafe(query);
        return result.count > 0 && (result[0]?.n === undefined || result[0].n > 0);
      }).catch(() => false);
      attempts.push({ name, query, succeeded });
    }
    throw new Rollback();
  }).catch((error) => {
    if (!(error instanceof Rollback)) throw error;
  });
  return attempts;
}

class Rollback extends Error {}

export interface SqlOutcome {
  attempts: SqlAttempt[];
  /** The same row reads made as A itself: they must succeed, or the attempts above prove nothing. */
  ownerReads: SqlAttempt[];
  /** B changing server-owned columns of B's own rows (what the API itself would never write). */
  ownTenant: SqlAttempt[];
}

/** The service role (the API's own path) does read the server-only tables: the attempts above prove something. */
const serverOnlyReads = () =>
  [...SERVER_ONLY].map((table): [string, string] => [
    `service_role select ${table}`,
    `select count(*)::int as n from public.${table}`,
  ]);

export function runSqlAttacks(victim: SeededUser, attacker: SeededUser): Promise<SqlOutcome> {
  return withDb(async (sql) => {
    const tables = (await sql<{ tablename: string }[]>`
      select tablename from pg_tables where schemaname = 'public' order by tablename`).map((row) =>
      row.tablename
    );
    const asUser = [...authenticatedQueries(victim, attacker, tables), ...await privateFunctionCalls(sql)];
    const claimsOf = (user: SeededUser) => ({
      sub: user.user.id,
      role: "authenticated",
      aud: "authenticated",
    });
    // A's own rows, read as A (a server-only table has none a user may read: its control is the service role's).
    const reads = asUser.filter(([name]) =>
      /^select (?!vault|auth)/.test(name) && !SERVER_ONLY.has(name.slice("select ".length))
    );
    return {
      attempts: [
        ...await attempt(sql, "authenticated", claimsOf(attacker), asUser),
        ...await attempt(sql, "anon", { role: "anon" }, anonQueries(tables)),
      ],
      ownerReads: [
        ...await attempt(sql, "authenticated", claimsOf(victim), reads),
        ...await attempt(sql, "service_role", {}, serverOnlyReads()),
      ],
      ownTenant: await attempt(
        sql,
        "authenticated",
        claimsOf(attacker),
        ownTenantUpdates(attacker.user.id, attacker.chatIds[0]),
      ),
    };
  });
}
