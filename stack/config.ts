/**
 * The local stack's configuration: supabase/config.toml (the same file the Supabase CLI reads) plus
 * a few environment overrides so that several stacks can run side by side (tests, benchmarks).
 * @module
 */
import { parse } from "smol-toml";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { existsSync, readdirSync } from "node:fs";
import * as keys from "./keys.ts";

export const ROOT = fileURLToPath(new URL("..", import.meta.url)).replace(/\/$/, "");
export const HOST = "127.0.0.1";

export interface FunctionConfig {
  name: string;
  verifyJwt: boolean;
  entrypoint: string;
  /** The Deno config holding the function's import map (config.toml's `import_map`), as deployed. */
  importMap: string;
}

export interface AuthConfig {
  jwtExpiry: number;
  refreshTokenRotation: boolean;
  refreshTokenReuseInterval: number;
  enableSignup: boolean;
  enableConfirmations: boolean;
  minimumPasswordLength: number;
  siteUrl: string;
}

/** The transaction pooler (config.toml's `[db.pooler]`): PgBouncer, see stack/pooler.ts. */
export interface PoolerConfig {
  enabled: boolean;
  port: number;
  poolMode: "transaction" | "session";
  /** Server connections per user and database. */
  defaultPoolSize: number;
  /** Client connections at most. */
  maxClientConn: number;
  /** DB_URL's user and database through the pooler, as the functions connect (DB_POOLER_URL). */
  url: string;
}

export interface StackConfig {
  root: string;
  stateDir: string;
  apiPort: number;
  dbPort: number;
  pooler: PoolerConfig;
  apiUrl: string;
  functionsUrl: string;
  /** What the project and its clients use (postgres, as on Supabase). */
  dbUrl: string;
  /** The platform superuser, for the bootstrap only. */
  adminDbUrl: string;
  /** GoTrue's own database user. */
  authDbUrl: string;
  /** Supabase Storage's own database user. */
  storageDbUrl: string;
  functions: FunctionConfig[];
  auth: AuthConfig;
  fileSizeLimit: number;
}

type Toml = Record<string, unknown>;

function table(value: unknown): Toml {
  return value && typeof value === "object" ? value as Toml : {};
}

function envPort(name: string, fallback: number): number {
  const value = Deno.env.get(name);
  return value ? Number(value) : fallback;
}

function discoverFunctions(root: string, configured: Toml): FunctionConfig[] {
  const dir = join(root, "supabase", "functions");
  const names = new Set(Object.keys(configured));
  if (existsSync(dir)) {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const isFunction = entry.isDirectory() && !/^[._]/.test(entry.name) &&
        existsSync(join(dir, entry.name, "index.ts"));
      if (isFunction) names.add(entry.name);
    }
  }
  return [...names].sort().flatMap((name) => {
    const fn = table(configured[name]);
    if (fn.enabled === false) return [];
    const entrypoint = typeof fn.entrypoint === "string"
      ? join(root, "supabase", fn.entrypoint)
      : join(dir, name, "index.ts");
    const importMap = typeof fn.import_map === "string"
      ? join(root, "supabase", fn.import_map)
      : join(root, "deno.json");
    return [{ name, verifyJwt: fn.verify_jwt !== false, entrypoint, importMap }];
  });
}

function parseSize(value: unknown, fallback: number): number {
  const match = typeof value === "string" && /^(\d+)\s*(KiB|MiB|GiB|B)?$/i.exec(value);
  if (!match) return fallback;
  const unit = { b: 1, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 }[(match[2] ?? "b").toLowerCase()] ?? 1;
  return Number(match[1]) * unit;
}

/** Reads supabase/config.toml and the STACK_* overrides. */
export function loadConfig(root = ROOT): StackConfig {
  const toml = parse(Deno.readTextFileSync(join(root, "supabase", "config.toml"))) as Toml;
  const api = table(toml.api), db = table(toml.db), auth = table(toml.auth), pooler = table(db.pooler);
  const email = table(auth.email), storage = table(toml.storage);
  const apiPort = envPort("STACK_API_PORT", Number(api.port ?? 54321));
  const dbPort = envPort("STACK_DB_PORT", Number(db.port ?? 54322));
  const poolerPort = envPort("STACK_POOLER_PORT", Number(pooler.port ?? 54329));
  const apiUrl = `http://${HOST}:${apiPort}`;
  const dbUrlFor = (user: string) => `postgresql://${user}:postgres@${HOST}:${dbPort}/postgres`;
  return {
    root,
    stateDir: Deno.env.get("STACK_STATE_DIR") ?? join(root, ".stack"),
    apiPort,
    dbPort,
    pooler: {
      enabled: pooler.enabled === true,
      port: poolerPort,
      poolMode: pooler.pool_mode === "session" ? "session" : "transaction",
      defaultPoolSize: Number(pooler.default_pool_size ?? 20),
      maxClientConn: Number(pooler.max_client_conn ?? 100),
      url: `postgresql://postgres:postgres@${HOST}:${poolerPort}/postgres`,
    },
    apiUrl,
    functionsUrl: `${apiUrl}/functions/v1`,
    dbUrl: dbUrlFor("postgres"),
    adminDbUrl: dbUrlFor("supabase_admin"),
    authDbUrl: dbUrlFor("supabase_auth_admin"),
    storageDbUrl: dbUrlFor("supabase_storage_admin"),
    functions: discoverFunctions(root, table(toml.functions)),
    auth: {
      jwtExpiry: Number(auth.jwt_expiry ?? 3600),
      refreshTokenRotation: auth.enable_refresh_token_rotation !== false,
      refreshTokenReuseInterval: Number(auth.refresh_token_reuse_interval ?? 10),
      enableSignup: auth.enable_signup !== false && email.enable_signup !== false,
      enableConfirmations: email.enable_confirmations === true,
      minimumPasswordLength: Math.max(6, Number(auth.minimum_password_length ?? 6)),
      siteUrl: String(auth.site_url ?? "http://127.0.0.1:3000"),
    },
    fileSizeLimit: parseSize(storage.file_size_limit, 50 * 1024 ** 2),
  };
}

/**
 * The variables `supabase status -o env` prints, with the same names; and DB_POOLER_URL, the
 * pooler's URL (which the CLI does not print), named as the functions' setting that takes it.
 */
export function statusEnv(config: StackConfig): Record<string, string> {
  return {
    API_URL: config.apiUrl,
    AUTH_URL: `${config.apiUrl}/auth/v1`,
    DB_URL: config.dbUrl,
    ...config.pooler.enabled ? { DB_POOLER_URL: config.pooler.url } : {},
    FUNCTIONS_URL: config.functionsUrl,
    STORAGE_URL: `${config.apiUrl}/storage/v1`,
    ANON_KEY: keys.ANON_KEY,
    SERVICE_ROLE_KEY: keys.SERVICE_ROLE_KEY,
    PUBLISHABLE_KEY: keys.PUBLISHABLE_KEY,
    SECRET_KEY: keys.SECRET_KEY,
    JWT_SECRET: keys.JWT_SECRET,
  };
}

/**
 * Settings the local stack gives its functions under supabase/functions/.env (which overrides them).
 * Every local client is 127.0.0.1, and the test suite signs up hundreds of users and sends many
 * replies from it: the per-address and per-user rate limits are raised here (the sign-in lockout
 * keeps its defaults). tests/api/rate_limits_test.ts and proof/abuse.ts run an api function of
 * their own with low limits.
 */
export const LOCAL_FUNCTION_SETTINGS: Record<string, string> = {
  RATE_LIMIT_SIGN_IN: "100000/1m",
  RATE_LIMIT_SIGN_UP: "100000/1m",
  RATE_LIMIT_WAITLIST: "100000/1m",
  RATE_LIMIT_REPLIES: "100000/1m",
  RATE_LIMIT_IMAGE_JOBS: "100000/1m",
  RATE_LIMIT_REFERRAL_SENDS: "100000/1m",
  RATE_LIMIT_INVITE_VALIDATION: "100000/1m",
  RATE_LIMIT_UPLOADS: "100000/1m",
};

/**
 * Settings the local stack gives its functions for local development, under the project's own
 * supabase/functions/.env (which may change them): `ALLOW_PRIVATE_DESTINATIONS=true`, since the
 * providers a developer or a test runs locally (the tests' fakes, Ollama, LM Studio) listen on
 * loopback or private addresses. Never set on a hosted project, where the default refuses them.
 */
export function localDevelopmentEnv(): Record<string, string> {
  return { ALLOW_PRIVATE_DESTINATIONS: "true" };
}

/** The environment Supabase's edge runtime injects into every function (PLATFORM.md §8). */
export function functionEnv(config: StackConfig): Record<string, string> {
  return {
    SUPABASE_URL: config.apiUrl,
    SUPABASE_DB_URL: config.dbUrl,
    SUPABASE_ANON_KEY: keys.ANON_KEY,
    SUPABASE_SERVICE_ROLE_KEY: keys.SERVICE_ROLE_KEY,
    SUPABASE_JWKS: JSON.stringify(keys.PUBLIC_JWKS),
    SUPABASE_PUBLISHABLE_KEYS: JSON.stringify({ default: keys.PUBLISHABLE_KEY }),
    SUPABASE_SECRET_KEYS: JSON.stringify({ default: keys.SECRET_KEY }),
  };
}
