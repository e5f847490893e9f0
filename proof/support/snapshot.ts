/**
 * A database snapshot for "nothing changed": row count and a content hash per table. It covers
 * every table of `public` (jobs included) and auth.users, vault.secrets, storage.objects. Left
 * out, because background processes change them whatever the API is sent: net.* (pg_net's
 * responses), cron.* (pg_cron's run log), auth.sessions, auth.refresh_tokens and
 * auth.audit_log_entries (sign-in bookkeeping, not user data).
 * @module
 */
import type postgres from "postgres";

export type Snapshot = Map<string, { rows: number; hash: string }>;

const EXTRA_TABLES = [["auth", "users"], ["vault", "secrets"], ["storage", "objects"]];

async function tables(sql: postgres.Sql): Promise<string[][]> {
  const rows = await sql<{ schema: string; name: string }[]>`
    select table_schema as schema, table_name as name from information_schema.tables
    where table_schema = 'public' and table_type = 'BASE TABLE' order by table_name`;
  return [...rows.map((r) => [r.schema, r.name]), ...EXTRA_TABLES];
}

export async function snapshot(sql: postgres.Sql): Promise<Snapshot> {
  const result: Snapshot = new Map();
  for (const [schema, name] of await tables(sql)) {
    const [row] = await sql<{ rows: number; hash: string }[]>`
      select count(*)::int as rows,
        coalesce(md5(string_agg(md5(t::text), '' order by md5(t::text))), '') as hash
      from ${sql(schema)}.${sql(name)} t`;
    result.set(`${schema}.${name}`, row);
  }
  return result;
}

/** The tables whose count or hash differ, as printable lines. */
export function differences(before: Snapshot, after: Snapshot): string[] {
  const names = new Set([...before.keys(), ...after.keys()]);
  return [...names].filter((name) => before.get(name)?.hash !== after.get(name)?.hash).map((name) =>
    `${name}: ${before.get(name)?.rows ?? "-"} rows -> ${after.get(name)?.rows ?? "-"} rows`
  );
}
