/**
 * The local transaction pooler: PgBouncer from Debian in front of the stack's Postgres, where
 * `supabase start` runs its pooler (config.toml's `[db.pooler]`, port 54329), in transaction mode as
 * Supabase's port 6543 is: a server connection serves one transaction at a time, then the next
 * client's, and prepared statements do not survive the switch (PgBouncer 1.21+ is told not to keep
 * them either). The functions the stack runs connect through it (DB_POOLER_URL).
 *
 * Clients log in with SCRAM-SHA-256 as `postgres` / `postgres` (the local DB_URL's credentials, from
 * an auth file in the state folder); PgBouncer itself reaches Postgres over loopback, where the
 * throwaway cluster trusts its users. `postgres` is also the console's admin: `SHOW POOLS`, `SHOW
 * CLIENTS`, ... in the `pgbouncer` database of the same port. PgBouncer refuses to run as root, so
 * as root it runs as the system's `postgres` user, as Postgres does; it runs detached with a pid
 * file, so `stop` ends it even when the stack's own process is gone.
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { HOST, type StackConfig } from "./config.ts";
import { StackError } from "./errors.ts";
import { asPostgresUser, isRoot } from "./postgres.ts";
import { isPortFree, run, waitFor } from "./process.ts";

// Debian's path; overridable so other installs (and the tests of the error messages) can point elsewhere.
const PGBOUNCER = Deno.env.get("STACK_PGBOUNCER") ?? "/usr/sbin/pgbouncer";

/** The pooler's files: configuration, auth file, pid file and socket (its log is in logs/). */
export function poolerDir(config: StackConfig): string {
  return join(config.stateDir, "pooler");
}

const pidFile = (config: StackConfig) => join(poolerDir(config), "pgbouncer.pid");
const logFile = (config: StackConfig) => join(config.stateDir, "logs", "pgbouncer.log");

/** PgBouncer's version as [major, minor], e.g. [1, 18]. */
async function version(): Promise<[number, number]> {
  const { stdout } = await run([PGBOUNCER, "--version"]);
  const [, major, minor] = /PgBouncer (\d+)\.(\d+)/.exec(stdout) ?? [];
  return [Number(major), Number(minor)];
}

async function settings(config: StackConfig): Promise<string> {
  const [major, minor] = await version();
  const { pooler } = config;
  return `; Written by the local stack (stack/pooler.ts) at each start.
[databases]
* = host=${HOST} port=${config.dbPort}

[pgbouncer]
listen_addr = ${HOST}
listen_port = ${pooler.port}
unix_socket_dir = ${poolerDir(config)}
pidfile = ${pidFile(config)}
logfile = ${logFile(config)}
auth_type = scram-sha-256
auth_file = ${join(poolerDir(config), "userlist.txt")}
admin_users = postgres
pool_mode = ${pooler.poolMode}
default_pool_size = ${pooler.defaultPoolSize}
max_client_conn = ${pooler.maxClientConn}
ignore_startup_parameters = extra_float_digits
; A Postgres that was down is tried again after a second, not 15: the functions recover with it.
server_login_retry = 1
${major > 1 || minor >= 21 ? "max_prepared_statements = 0\n" : ""}`;
}

function checkInstalled(): void {
  if (!existsSync(PGBOUNCER)) {
    throw new StackError("PgBouncer is not installed: run `sudo apt-get install pgbouncer`.");
  }
}

/** The pid of this stack's PgBouncer, if it runs (a stale pid file's pid may be another program's now). */
function runningPid(config: StackConfig): number | null {
  try {
    const pid = Number(Deno.readTextFileSync(pidFile(config)).trim());
    const command = Deno.readTextFileSync(`/proc/${pid}/cmdline`);
    return command.includes("pgbouncer") && command.includes(poolerDir(config)) ? pid : null;
  } catch {
    return null;
  }
}

async function accepts(port: number): Promise<boolean> {
  const connection = await Deno.connect({ hostname: HOST, port });
  connection.close();
  return true;
}

/** Writes the configuration and starts PgBouncer (one left running by an earlier stack is replaced). */
export async function startPooler(config: StackConfig): Promise<void> {
  checkInstalled();
  await stopPooler(config);
  if (!isPortFree(config.pooler.port)) {
    throw new StackError(
      `Port ${config.pooler.port} is taken by another program: stop it, or set STACK_POOLER_PORT to a free port.`,
    );
  }
  const dir = poolerDir(config);
  await Deno.mkdir(dir, { recursive: true });
  await Deno.mkdir(join(config.stateDir, "logs"), { recursive: true });
  const ini = join(dir, "pgbouncer.ini");
  await Deno.writeTextFile(ini, await settings(config));
  await Deno.writeTextFile(join(dir, "userlist.txt"), `"postgres" "postgres"\n`, { mode: 0o600 });
  if (isRoot()) {
    // PgBouncer runs as `postgres`, which must be able to reach the state folder.
    await Deno.chmod(config.stateDir, 0o755);
    await run([
      "bash",
      "-c",
      `touch '${logFile(config)}' && chown -R postgres '${dir}' '${logFile(config)}'`,
    ]);
  }
  const started = await run(asPostgresUser([PGBOUNCER, "-d", "-q", ini]), { check: false });
  const listening = started.code === 0 &&
    await waitFor(() => accepts(config.pooler.port), { timeoutMs: 10_000 });
  if (!listening) {
    throw new StackError(`PgBouncer did not start: see ${logFile(config)}.`);
  }
}

/** Stops the stack's PgBouncer, if it runs (closing its clients' connections at once). */
export async function stopPooler(config: StackConfig): Promise<void> {
  const pid = runningPid(config);
  if (pid === null) return;
  Deno.kill(pid, "SIGTERM");
  const gone = await waitFor(() => Promise.resolve(runningPid(config) !== pid), { timeoutMs: 10_000 });
  if (!gone) Deno.kill(pid, "SIGKILL");
}
