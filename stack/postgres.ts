/**
 * The throwaway PostgreSQL 15 cluster: created with initdb in the state folder, listening on
 * 127.0.0.1 only, with pg_cron preloaded. Postgres refuses to run as root, so as root the server
 * runs as the system's `postgres` user.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import type { StackConfig } from "./config.ts";
import { StackError } from "./errors.ts";
import { isPortFree, run } from "./process.ts";

// Debian's layout; overridable so other installs (and the tests of the error messages) can point elsewhere.
const PG_BIN = Deno.env.get("STACK_PG_BIN") ?? "/usr/lib/postgresql/15/bin";
const PG_SHARE = Deno.env.get("STACK_PG_SHARE") ?? "/usr/share/postgresql/15";

export const isRoot = () => Deno.uid() === 0;

/** The command as the system's `postgres` user when we are root (servers that refuse to run as root). */
export function asPostgresUser(command: string[]): string[] {
  return isRoot() ? ["runuser", "-u", "postgres", "--", ...command] : command;
}

function pgCommand(tool: string, args: string[]): string[] {
  return asPostgresUser([join(PG_BIN, tool), ...args]);
}

export function dataDir(config: StackConfig): string {
  return join(config.stateDir, "db");
}

function checkInstalled(): void {
  if (!existsSync(join(PG_BIN, "initdb"))) {
    throw new StackError("PostgreSQL 15 is not installed: run `sudo apt-get install postgresql-15`.");
  }
  if (!existsSync(join(PG_SHARE, "extension", "pg_cron.control"))) {
    throw new StackError("pg_cron is not installed: run `sudo apt-get install postgresql-15-cron`.");
  }
}

const SETTINGS = (config: StackConfig) => `
# Written by the local stack (stack/postgres.ts).
listen_addresses = '127.0.0.1'
port = ${config.dbPort}
unix_socket_directories = '${join(config.stateDir, "run")}'
shared_preload_libraries = 'pg_cron'
cron.database_name = 'postgres'
max_connections = 200
# A throwaway development cluster: durability traded for speed.
fsync = off
synchronous_commit = off
full_page_writes = off
log_min_messages = warning
`;

async function initCluster(config: StackConfig): Promise<void> {
  const dir = dataDir(config);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.mkdir(join(config.stateDir, "run"), { recursive: true });
  if (isRoot()) {
    // The server runs as `postgres`, which must be able to reach the data folder.
    await Deno.chmod(config.stateDir, 0o755);
    await run(["chown", "-R", "postgres:postgres", dir, join(config.stateDir, "run")]);
    await Deno.chmod(dir, 0o700);
  }
  await run(pgCommand("initdb", [
    "-D",
    dir,
    "-U",
    "supabase_admin",
    "--auth=trust",
    "-E",
    "UTF8",
    "--locale=C.UTF-8",
  ]));
  await Deno.writeTextFile(join(dir, "postgresql.conf"), SETTINGS(config), { append: true });
}

export async function isRunning(config: StackConfig): Promise<boolean> {
  if (!existsSync(join(dataDir(config), "PG_VERSION"))) return false;
  const { code } = await run(pgCommand("pg_ctl", ["-D", dataDir(config), "status"]), { check: false });
  return code === 0;
}

/** Creates the cluster on first use and starts it; reuses a server that already runs. */
export async function startPostgres(config: StackConfig): Promise<{ created: boolean }> {
  checkInstalled();
  const created = !existsSync(join(dataDir(config), "PG_VERSION"));
  if (created) await initCluster(config);
  if (await isRunning(config)) return { created };
  if (!isPortFree(config.dbPort)) {
    throw new StackError(
      `Port ${config.dbPort} is taken by another program: stop it, or set STACK_DB_PORT to a free port.`,
    );
  }
  await Deno.mkdir(join(config.stateDir, "logs"), { recursive: true });
  const logFile = join(config.stateDir, "logs", "postgres.log");
  if (isRoot()) await run(["bash", "-c", `touch '${logFile}' && chown postgres '${logFile}'`]);
  const result = await run(
    pgCommand("pg_ctl", ["-D", dataDir(config), "-l", logFile, "-w", "-t", "60", "start"]),
    { check: false },
  );
  if (result.code !== 0) {
    throw new StackError(`PostgreSQL did not start: see ${logFile}.`);
  }
  return { created };
}

export async function stopPostgres(config: StackConfig): Promise<void> {
  if (!await isRunning(config)) return;
  await run(pgCommand("pg_ctl", ["-D", dataDir(config), "-m", "fast", "-w", "stop"]), { check: false });
}
