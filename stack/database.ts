/**
 * Brings the database to the state `supabase start` leaves it in: the platform bootstrap (what
 * Supabase provides, never the project's tables), the project's migrations applied by the real
 * Supabase CLI, the seed, and the Vault secrets the cron/trigger path reads.
 * @module
 */
import postgres from "postgres";
import { join } from "node:path";
import { readdirSync } from "node:fs";
import type { StackConfig } from "./config.ts";
import { SERVICE_ROLE_KEY } from "./keys.ts";
import { run } from "./process.ts";

const SQL_DIR = new URL("./sql/", import.meta.url);

export function adminClient(config: StackConfig) {
  return postgres(config.adminDbUrl, { max: 1, onnotice: () => {} });
}

/** Applies stack/sql/*.sql in order; each file is idempotent. */
export async function bootstrap(config: StackConfig): Promise<void> {
  const sql = adminClient(config);
  try {
    const files = [...Deno.readDirSync(SQL_DIR)].map((e) => e.name).filter((n) => n.endsWith(".sql")).sort();
    for (const file of files) {
      await sql.unsafe(await Deno.readTextFile(new URL(file, SQL_DIR)));
    }
  } finally {
    await sql.end();
  }
}

function localMigrationVersions(config: StackConfig): string[] {
  const dir = join(config.root, "supabase", "migrations");
  return readdirSync(dir).flatMap((name) => /^(\d+)_.*\.sql$/.exec(name)?.[1] ?? []);
}

/** The versions already applied, or null when `db push` never ran on this database. */
async function appliedMigrationVersions(config: StackConfig): Promise<Set<string> | null> {
  const sql = adminClient(config);
  try {
    const [{ pushed }] = await sql`
      select to_regclass('supabase_migrations.schema_migrations') is not null
         and to_regclass('supabase_migrations.seed_files') is not null as pushed`;
    if (!pushed) return null;
    const rows = await sql`select version from supabase_migrations.schema_migrations`;
    return new Set(rows.map((r) => r.version as string));
  } finally {
    await sql.end();
  }
}

function supabaseCli(config: StackConfig): string {
  return join(config.root, "node_modules", ".bin", "supabase");
}

/**
 * Runs `supabase db push --db-url ... --include-seed` when a migration is not applied yet (the CLI
 * takes a few seconds to start, so a warm start with nothing to do skips it).
 */
export async function migrate(config: StackConfig, { force = false } = {}): Promise<boolean> {
  const applied = await appliedMigrationVersions(config);
  const pending = localMigrationVersions(config).filter((v) => !applied?.has(v));
  if (!force && applied && pending.length === 0) return false;
  await run([
    supabaseCli(config),
    "db",
    "push",
    "--db-url",
    config.dbUrl,
    "--include-all",
    "--include-seed",
    "--skip-vault",
    "--yes",
  ], { cwd: config.root, env: { SUPABASE_TELEMETRY_DISABLED: "1", DO_NOT_TRACK: "1" } });
  return true;
}

const DESCRIPTION = "Set by the local stack";

/**
 * The secrets the pg_cron schedule and the job trigger read to call the worker function (never
 * written into a migration): the project URL and the service credential. Written after the seed, so
 * they replace the seed's `supabase start` values (http://kong:8000 is no address here).
 */
export async function storeVaultSecrets(config: StackConfig): Promise<void> {
  const sql = adminClient(config);
  const secrets = { project_url: config.apiUrl, service_role_key: SERVICE_ROLE_KEY };
  try {
    for (const [name, value] of Object.entries(secrets)) {
      const [existing] = await sql`select id from vault.secrets where name = ${name}`;
      if (existing) await sql`select vault.update_secret(${existing.id}, ${value}, null, ${DESCRIPTION})`;
      else await sql`select vault.create_secret(${value}, ${name}, ${DESCRIPTION})`;
    }
  } finally {
    await sql.end();
  }
}
