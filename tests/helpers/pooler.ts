/**
 * The local stack's transaction pooler (PgBouncer, stack/pooler.ts) as the tests see it: its admin
 * console (`SHOW CLIENTS`, `SHOW SERVERS` in the `pgbouncer` database, simple protocol only), and
 * clients that connect through it as the functions do.
 * @module
 */
import postgres from "postgres";
import { env, isLocalStack } from "./env.ts";

/** True when the tests can see the pooler's console: a local stack that runs one. */
export const hasLocalPooler = isLocalStack && env.poolerUrl !== "";

/** A client connection of the pooler (a row of `SHOW CLIENTS`). */
export interface PoolerClient {
  database: string;
  application_name: string;
  port: number;
}

/** A server connection of the pooler (a row of `SHOW SERVERS`): its port and its backend's pid. */
export interface PoolerServer {
  database: string;
  local_port: number;
  remote_pid: number;
  application_name: string;
}

async function show<T>(what: "clients" | "servers"): Promise<T[]> {
  const url = new URL(env.poolerUrl);
  url.pathname = "/pgbouncer";
  const admin = postgres(url.href, { max: 1, fetch_types: false, prepare: false, onnotice: () => {} });
  try {
    // The console knows only the simple query protocol.
    return [...await admin.unsafe(`show ${what}`).simple()] as T[];
  } finally {
    await admin.end();
  }
}

export const poolerClients = () => show<PoolerClient>("clients");

/** The server connections to the `postgres` database (the one the functions use). */
export const poolerServers = async () =>
  (await show<PoolerServer>("servers")).filter((server) => server.database === "postgres");

/** A plain postgres.js client through the pooler (prepared statements off unless asked for). */
export function throughPooler(options: postgres.Options<Record<string, postgres.PostgresType>> = {}) {
  return postgres(env.poolerUrl, { max: 2, prepare: false, onnotice: () => {}, ...options });
}
