/**
 * The functions' configuration: the environment Supabase injects (PLATFORM.md §8) plus the
 * project's own settings (supabase/functions/.env.example), validated with zod once per isolate.
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
import { z } from "zod";

const jsonOf = <T extends z.ZodType>(schema: T) =>
  z.string().transform((raw, ctx) => {
    try {
      return JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: "custom", message: "is not valid JSON" });
      return z.NEVER;
    }
  }).pipe(schema);

const optionalText = z.string().trim().min(1).optional().catch(undefined);
const PostgresUrl = z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL");
/** Unset or empty: absent; anything else must be a postgres:// URL. */
const optionalPostgresUrl = z.preprocess((raw) => raw === "" ? undefined : raw, PostgresUrl.optional());
/** "true" or "false"; unset or empty is false. */
const Flag = z.preprocess(
  (value) => value === "" ? undefined : value,
  z.enum(["true", "false"], { error: 'must be "true" or "false"' }).optional(),
);
const KeyDictionary = jsonOf(z.record(z.string(), z.string()));

/** The edge gateway's request idle timeout (PLATFORM.md §8): silence longer than this ends a request. */
export const REQUEST_IDLE_TIMEOUT_SECONDS = 150;
/** The longest heartbeat interval accepted: well inside the idle timeout, whatever the timers' drift. */
export const MAX_HEARTBEAT_SECONDS = 120;

/** An http(s) origin, optionally with a path (a proxy's prefix); no query or fragment. */
const PublicUrl = z.preprocess(
  (value) => value === "" ? undefined : value,
  z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .refine((url) => !/[?#]/.test(url), "must have no query or fragment")
    .optional(),
);

const Env = z.object({
  SUPABASE_URL: z.url(),
  PUBLIC_API_URL: PublicUrl,
  SUPABASE_DB_URL: PostgresUrl,
  SUPABASE_ANON_KEY: optionalText,
  SUPABASE_SERVICE_ROLE_KEY: optionalText,
  SUPABASE_PUBLISHABLE_KEYS: KeyDictionary.optional(),
  SUPABASE_SECRET_KEYS: KeyDictionary.optional(),
  SUPABASE_JWKS: jsonOf(z.object({ keys: z.array(z.record(z.string(), z.unknown())) })).optional(),
  JWT_SECRET: optionalText,
  CORS_ALLOWED_ORIGINS: optionalText,
  DB_POOLER_URL: optionalPostgresUrl,
  MAX_BODY_BYTES: z.coerce.number().int().positive().default(1024 * 1024),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(100).default(10),
  MODEL_CATALOGUE_TTL_SECONDS: z.coerce.number().min(0).default(60),
  CHAT_STREAM_HEARTBEAT_SECONDS: z.coerce.number().min(0.01).max(
    MAX_HEARTBEAT_SECONDS,
    `must be at most ${MAX_HEARTBEAT_SECONDS} (the gateway ends a request silent for ${REQUEST_IDLE_TIMEOUT_SECONDS} s)`,
  ).default(15),
  ALLOW_PRIVATE_DESTINATIONS: Flag,
}).refine((env) => env.SUPABASE_PUBLISHABLE_KEYS?.default ?? env.SUPABASE_ANON_KEY, {
  message: "Required: SUPABASE_PUBLISHABLE_KEYS (with a default key) or SUPABASE_ANON_KEY",
  path: ["SUPABASE_PUBLISHABLE_KEYS"],
});

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

/** Why the configuration was refused: one line per variable, each naming it. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Validates an environment (a plain object: tests pass their own). */
export function parseConfig(env: Record<string, string | undefined>): Config {
  const result = Env.safeParse(env);
  if (!result.success) {
    const problems = result.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? "environment");
      return env[name] === undefined ? `${name} is not set` : `${name} ${issue.message}`;
    });
    throw new ConfigError(`Invalid configuration: ${problems.join("; ")}.`);
  }
  const e = result.data;
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
