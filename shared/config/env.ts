/**
 * The functions' configuration: the environment Supabase injects (PLATFORM.md §8) plus the
 * project's own settings (supabase/functions/.env.example), validated once per isolate (config/checks.ts:
 * without zod, whose evaluation would lengthen every boot).
 * A missing or malformed required variable fails at boot with its name, not at the first request.
 *
 * Two bounds come from the platform (README "Platform limits"): the gateway ends a request that has
 * sent nothing for 150 s, so a streamed reply's heartbeat comes well before that; and the links
 * handed to clients are built on `PUBLIC_API_URL`, since `SUPABASE_URL` is the functions' own way
 * in (under `supabase start` the internal `http://kong:8000`, which a phone cannot open).
 *
 * `ALLOW_PRIVATE_DESTINATIONS=true` lets provider calls reach loopback, private and reserved
 * addresses (shared/llm/destinations.ts): for local development only (the local stack sets it, its
 * fake providers listen on 127.0.0.1); unset, as on a hosted project, they are refused.
 * @module
 */
import {
  blankToUndefined,
  flag,
  httpUrl,
  isOfType,
  json,
  matching,
  number,
  optionalText,
  Problems,
  stringRecord,
  url,
} from "./checks.ts";

/** The edge gateway's request idle timeout (PLATFORM.md §8): silence longer than this ends a request. */
export const REQUEST_IDLE_TIMEOUT_SECONDS = 150;
/** The longest heartbeat interval accepted: well inside the idle timeout, whatever the timers' drift. */
export const MAX_HEARTBEAT_SECONDS = 120;

export interface Config {
  /** How the functions reach the platform's services (Auth, Storage); not for clients. */
  supabaseUrl: string;
  /** The origin (and path prefix) clients reach the API gateway on: every URL handed to them. */
  publicUrl: string;
  /** Where the functions connect: DB_POOLER_URL when set, else the platform's SUPABASE_DB_URL. */
  dbUrl: string;
  /** dbUrl is a transaction pooler's (DB_POOLER_URL is set): no prepared statements there. */
  dbTransactionPooler: boolean;
  /** The key Auth calls are made with: the default publishable key, else the legacy anon key. */
  publicKey: string;
  /** Every credential that grants the service role: the legacy JWT and the sb_secret_ keys. */
  serviceCredentials: string[];
  jwks?: { keys: Record<string, unknown>[] };
  legacyJwtSecret?: string;
  corsOrigins: string | string[];
  maxBodyBytes: number;
  /** Connections per isolate at most, transactions and statements together. */
  dbPoolMax: number;
  catalogueTtlSeconds: number;
  /** Silence after which a streamed reply gets a keep-alive comment line. */
  streamHeartbeatMs: number;
  /** Provider calls may reach loopback, private and reserved addresses (local development only). */
  allowPrivateDestinations: boolean;
}

type Env = Record<string, string | undefined>;
type KeyDictionary = Record<string, string>;
interface Jwks {
  keys: Record<string, unknown>[];
}

const POSTGRES_URL = /^postgres(ql)?:\/\//;
const NOT_POSTGRES = "must be a postgres:// URL";

/** A variable that must be set: a fatal problem (read as "<name> is not set") when it is not. */
function required(problems: Problems, env: Env, name: string): string | undefined {
  if (env[name] === undefined) problems.add(name, "is not set", true);
  return env[name];
}

/** JSON text of an object of strings (unset: undefined). */
function keyDictionary(problems: Problems, env: Env, name: string): KeyDictionary | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const value = json(problems, name, raw);
  return value === undefined ? undefined : stringRecord(problems, name, value);
}

/** JSON text of `{keys: [object, ...]}` (unset: undefined). */
function jwks(problems: Problems, raw: string | undefined): Jwks | undefined {
  const name = "SUPABASE_JWKS";
  if (raw === undefined) return undefined;
  const value = json(problems, name, raw);
  if (value === undefined || !isOfType(problems, name, value, "object")) return undefined;
  const keys = (value as Partial<Jwks>).keys;
  if (!isOfType(problems, name, keys, "array")) return undefined;
  for (const key of keys as unknown[]) isOfType(problems, name, key, "record");
  return value as Jwks;
}

/** An http(s) origin, optionally with a path (a proxy's prefix); no query or fragment. */
function publicUrl(problems: Problems, raw: string | undefined): string | undefined {
  const name = "PUBLIC_API_URL";
  const value = blankToUndefined(raw);
  if (value === undefined) return undefined;
  const checked = httpUrl(problems, name, value, "must be an http:// or https:// URL");
  if (/[?#]/.test(checked)) problems.add(name, "must have no query or fragment");
  return checked;
}

/** The environment's variables, checked in one pass (the order of the problems is theirs). */
function readEnv(env: Env, problems: Problems) {
  const supabaseUrl = required(problems, env, "SUPABASE_URL");
  const dbUrl = required(problems, env, "SUPABASE_DB_URL");
  const poolerUrl = blankToUndefined(env.DB_POOLER_URL);
  const e = {
    SUPABASE_URL: supabaseUrl === undefined ? "" : url(problems, "SUPABASE_URL", supabaseUrl),
    PUBLIC_API_URL: publicUrl(problems, env.PUBLIC_API_URL),
    SUPABASE_DB_URL: dbUrl === undefined
      ? ""
      : matching(problems, "SUPABASE_DB_URL", dbUrl, POSTGRES_URL, NOT_POSTGRES),
    SUPABASE_ANON_KEY: optionalText(env.SUPABASE_ANON_KEY),
    SUPABASE_SERVICE_ROLE_KEY: optionalText(env.SUPABASE_SERVICE_ROLE_KEY),
    SUPABASE_PUBLISHABLE_KEYS: keyDictionary(problems, env, "SUPABASE_PUBLISHABLE_KEYS"),
    SUPABASE_SECRET_KEYS: keyDictionary(problems, env, "SUPABASE_SECRET_KEYS"),
    SUPABASE_JWKS: jwks(problems, env.SUPABASE_JWKS),
    JWT_SECRET: optionalText(env.JWT_SECRET),
    CORS_ALLOWED_ORIGINS: optionalText(env.CORS_ALLOWED_ORIGINS),
    DB_POOLER_URL: poolerUrl === undefined
      ? undefined
      : matching(problems, "DB_POOLER_URL", poolerUrl, POSTGRES_URL, NOT_POSTGRES),
    MAX_BODY_BYTES: number(problems, "MAX_BODY_BYTES", env.MAX_BODY_BYTES, 1024 * 1024, {
      integer: true,
      above: 0,
    }),
    DB_POOL_MAX: number(problems, "DB_POOL_MAX", env.DB_POOL_MAX, 10, { integer: true, min: 1, max: 100 }),
    MODEL_CATALOGUE_TTL_SECONDS: number(
      problems,
      "MODEL_CATALOGUE_TTL_SECONDS",
      env.MODEL_CATALOGUE_TTL_SECONDS,
      60,
      {
        min: 0,
      },
    ),
    CHAT_STREAM_HEARTBEAT_SECONDS: number(
      problems,
      "CHAT_STREAM_HEARTBEAT_SECONDS",
      env.CHAT_STREAM_HEARTBEAT_SECONDS,
      15,
      {
        min: 0.01,
        max: MAX_HEARTBEAT_SECONDS,
        maxMessage:
          `must be at most ${MAX_HEARTBEAT_SECONDS} (the gateway ends a request silent for ${REQUEST_IDLE_TIMEOUT_SECONDS} s)`,
      },
    ),
    ALLOW_PRIVATE_DESTINATIONS: flag(
      problems,
      "ALLOW_PRIVATE_DESTINATIONS",
      env.ALLOW_PRIVATE_DESTINATIONS,
      undefined,
    ),
  };
  if (problems.ok && !(e.SUPABASE_PUBLISHABLE_KEYS?.default ?? e.SUPABASE_ANON_KEY)) {
    problems.add(
      "SUPABASE_PUBLISHABLE_KEYS",
      "Required: SUPABASE_PUBLISHABLE_KEYS (with a default key) or SUPABASE_ANON_KEY",
    );
  }
  return e;
}

/** Why the configuration was refused: one line per variable, each naming it. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validates an environment (a plain object: tests pass their own). */
export function parseConfig(env: Env): Config {
  const problems = new Problems();
  const e = readEnv(env, problems);
  if (problems.list.length > 0) {
    const lines = problems.list.map(({ name, message }) =>
      env[name] === undefined ? `${name} is not set` : `${name} ${message}`
    );
    throw new ConfigError(`Invalid configuration: ${lines.join("; ")}.`);
  }
  const supabaseUrl = e.SUPABASE_URL.replace(/\/$/, "");
  const origins = e.CORS_ALLOWED_ORIGINS?.split(",").map((o) => o.trim()).filter(Boolean);
  return {
    supabaseUrl,
    publicUrl: e.PUBLIC_API_URL?.replace(/\/+$/, "") ?? supabaseUrl,
    dbUrl: e.DB_POOLER_URL ?? e.SUPABASE_DB_URL,
    dbTransactionPooler: e.DB_POOLER_URL !== undefined,
    publicKey: (e.SUPABASE_PUBLISHABLE_KEYS?.default ?? e.SUPABASE_ANON_KEY)!,
    serviceCredentials: [e.SUPABASE_SERVICE_ROLE_KEY, ...Object.values(e.SUPABASE_SECRET_KEYS ?? {})]
      .filter((key): key is string => typeof key === "string" && key.length > 0),
    jwks: e.SUPABASE_JWKS,
    legacyJwtSecret: e.JWT_SECRET,
    corsOrigins: origins?.length ? origins : "*",
    maxBodyBytes: e.MAX_BODY_BYTES,
    dbPoolMax: e.DB_POOL_MAX,
    catalogueTtlSeconds: e.MODEL_CATALOGUE_TTL_SECONDS,
    streamHeartbeatMs: Math.round(e.CHAT_STREAM_HEARTBEAT_SECONDS * 1000),
    allowPrivateDestinations: e.ALLOW_PRIVATE_DESTINATIONS === "true",
  };
}

let cached: Config | undefined;

/** The isolate's configuration, read from Deno.env on first use. */
export function config(): Config {
  cached ??= parseConfig(Deno.env.toObject());
  return cached;
}

/** Every credential that grants the service role. */
export function serviceCredentials(): string[] {
  return config().serviceCredentials;
}
