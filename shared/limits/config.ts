/**
 * The rate limits: every limit by name (the key of its counters in Postgres), what it counts per
 * (the signed-in user or the client's address), its default and the words its 429 uses; and the
 * sign-in lockout's settings. Each limit is one line of {@link LIMITS} and is configured by
 * `RATE_LIMIT_<NAME>` as `<count>/<window>` (`30/1m`, `20/1h`, `100/10s`; units s, m, h, d),
 * validated once per isolate (supabase/functions/.env.example, README "Rate limits").
 * @module
 */
import { number, Problems } from "../config/checks.ts";

/** What a limit counts per: the signed-in user, or the client's address (unauthenticated routes). */
export type Subject = "user" | "address";

export interface LimitSpec {
  per: Subject;
  /** `<count>/<window>`, as the environment variable takes it. */
  default: string;
  /** What is counted, for the 429's sentence ("Too many <label>: ..."). */
  label: string;
}

/**
 * Every limit. Adding one is a line here and a call where the action happens: `takeForCaller(tx,
 * name)` in the route's transaction (per user) or `takeForAddress(name, address)` (per address) —
 * e.g. `uploads: { per: "user", default: "60/1h", label: "uploads" }`.
 */
export const LIMITS = {
  replies: { per: "user", default: "30/1m", label: "replies" },
  image_jobs: { per: "user", default: "30/1h", label: "image jobs" },
  uploads: { per: "user", default: "60/1h", label: "uploads" },
  sign_in: { per: "address", default: "60/5m", label: "sign-in attempts from your network" },
  sign_up: { per: "address", default: "20/1h", label: "sign-ups from your network" },
  referral_sends: { per: "user", default: "50/1d", label: "invitations" },
  invite_validation: { per: "address", default: "30/10m", label: "invite code checks from your network" },
  waitlist: { per: "address", default: "10/1h", label: "waitlist applications from your network" },
} as const satisfies Record<string, LimitSpec>;

export type LimitName = keyof typeof LIMITS;
export type UserLimit = { [K in LimitName]: (typeof LIMITS)[K]["per"] extends "user" ? K : never }[LimitName];
export type AddressLimit = Exclude<LimitName, UserLimit>;

export interface Rule {
  max: number;
  windowSeconds: number;
}

/** The sign-in lockout (README "Brute-force protection"). */
export interface LockoutConfig {
  /** Failures of one email from one address after which that address waits. */
  after: number;
  /** The first wait; it doubles with every further failure. */
  baseSeconds: number;
  /** The longest wait. */
  maxSeconds: number;
  /** Failures of one email from all addresses within an hour past which one failure makes an address wait. */
  emailAfter: number;
}

export interface LimitsConfig {
  rules: Record<LimitName, Rule>;
  lockout: LockoutConfig;
  /** Entries the platform's proxies append to x-forwarded-for: the client is the left-most of them. */
  forwardedHops: number;
}

const UNIT_SECONDS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86_400 };
const MAX_WINDOW_SECONDS = 7 * 86_400;

/** `30/1m` → 30 per 60 s; undefined when malformed. */
export function parseRule(text: string): Rule | undefined {
  const match = /^\s*(\d+)\s*\/\s*(\d*)\s*([smhd])\s*$/.exec(text);
  if (!match) return undefined;
  const max = Number(match[1]);
  const windowSeconds = Number(match[2] || 1) * UNIT_SECONDS[match[3]];
  const usable = max >= 1 && max <= 1_000_000 && windowSeconds >= 1 && windowSeconds <= MAX_WINDOW_SECONDS;
  return usable ? { max, windowSeconds } : undefined;
}

/** "minute", "10 minutes", "hour", ... for a sentence. */
export function windowText(seconds: number): string {
  for (const [unit, size] of [["day", 86_400], ["hour", 3600], ["minute", 60]] as const) {
    if (seconds % size === 0) return seconds === size ? unit : `${seconds / size} ${unit}s`;
  }
  return seconds === 1 ? "second" : `${seconds} seconds`;
}

/** The lockout's settings: name → [min, max, default], each an integer. */
const LOCKOUT_SETTINGS = {
  SIGN_IN_LOCKOUT_AFTER: [1, 1000, 5],
  SIGN_IN_LOCKOUT_SECONDS: [1, 86_400, 30],
  SIGN_IN_LOCKOUT_MAX_SECONDS: [1, 7 * 86_400, 3600],
  SIGN_IN_EMAIL_ALERT_AFTER: [1, 1_000_000, 50],
  FORWARDED_FOR_HOPS: [1, 10, 1],
} as const;

type LockoutSetting = keyof typeof LOCKOUT_SETTINGS;

/** The lockout's settings from `env` (blank is unset), problems noted. */
function readLockout(env: Record<string, string | undefined>, problems: Problems) {
  const values = {} as Record<LockoutSetting, number>;
  for (const [name, [min, max, fallback]] of Object.entries(LOCKOUT_SETTINGS)) {
    const raw = env[name]?.trim() ? env[name] : undefined;
    values[name as LockoutSetting] = number(problems, name, raw, fallback, { integer: true, min, max });
  }
  return values;
}

const envName = (name: string) => `RATE_LIMIT_${name.toUpperCase()}`;

/** Validates an environment (tests pass their own); a malformed value fails with its name. */
export function parseLimitsConfig(env: Record<string, string | undefined>): LimitsConfig {
  const problems: string[] = [];
  const rules = {} as Record<LimitName, Rule>;
  for (const [name, spec] of Object.entries(LIMITS) as [LimitName, LimitSpec][]) {
    const raw = env[envName(name)]?.trim() || spec.default;
    const rule = parseRule(raw);
    if (rule) rules[name] = rule;
    else {problems.push(
        `${envName(name)} must be <count>/<window> such as 30/1m (units s, m, h, d; at most 7d)`,
      );}
  }
  const lockoutProblems = new Problems();
  const e = readLockout(env, lockoutProblems);
  problems.push(...lockoutProblems.list.map(({ name, message }) => `${name} ${message}`));
  if (lockoutProblems.list.length === 0 && e.SIGN_IN_LOCKOUT_MAX_SECONDS < e.SIGN_IN_LOCKOUT_SECONDS) {
    problems.push("SIGN_IN_LOCKOUT_MAX_SECONDS must be at least SIGN_IN_LOCKOUT_SECONDS");
  }
  if (problems.length > 0) throw new Error(`Invalid configuration: ${problems.join("; ")}.`);
  return {
    rules,
    lockout: {
      after: e.SIGN_IN_LOCKOUT_AFTER,
      baseSeconds: e.SIGN_IN_LOCKOUT_SECONDS,
      maxSeconds: e.SIGN_IN_LOCKOUT_MAX_SECONDS,
      emailAfter: e.SIGN_IN_EMAIL_ALERT_AFTER,
    },
    forwardedHops: e.FORWARDED_FOR_HOPS,
  };
}

let cached: LimitsConfig | undefined;

/** The isolate's limits, read from Deno.env on first use. */
export function limitsConfig(): LimitsConfig {
  cached ??= parseLimitsConfig(Deno.env.toObject());
  return cached;
}
