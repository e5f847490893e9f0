/**
 * Taking a hit of a limit, in Postgres (migration 20261203000100_rate_limits.sql): per user as one
 * statement pipelined in the route's own transaction ({@link takeForCaller}), per address as a
 * single-statement service transaction ({@link takeForAddress}). A refusal is Postgres's SQLSTATE
 * RL429, which aborts the transaction (the refused request changes nothing) and which
 * {@link rateLimitError} turns into the 429 the app answers (`rate_limited`, `Retry-After`).
 * @module
 */
import { dollarQuoted, serviceReader, type Tx } from "../db/client.ts";
import { ApiError } from "../errors/api-error.ts";
import {
  type AddressLimit,
  type LimitName,
  LIMITS,
  limitsConfig,
  type UserLimit,
  windowText,
} from "./config.ts";

/** SQLSTATE of a refused hit (private.take_rate_limit, private.check_sign_in). */
export const RATE_LIMITED = "RL429";

/** The refusal of a sign-in by the lockout (private.check_sign_in). */
const LOCKOUT = "sign_in_lockout";

/**
 * One hit of a per-user limit for the transaction's user, as a statement to send with the route's
 * others (it travels in their round trip); refused with RL429, which aborts the transaction.
 */
export function takeForCaller(tx: Tx, name: UserLimit) {
  const { max, windowSeconds } = limitsConfig().rules[name];
  return tx`select limits.take_for_caller(${inline(tx, name, max, windowSeconds)})`;
}

/**
 * A limit's name and rule written into the statement (the name is one of {@link LIMITS}' keys, the
 * numbers validated integers): without parameters, postgres.js sends the statement without first asking
 * Postgres for their types through the pooler, a round trip that would hold up the route's others.
 */
function inline(tx: Tx, name: LimitName, max: number, windowSeconds: number) {
  if (!(name in LIMITS) || !Number.isInteger(max) || !Number.isInteger(windowSeconds)) {
    throw new Error(`Invalid rate limit ${name}`);
  }
  return tx.unsafe(`${dollarQuoted(name)}, ${max}, ${windowSeconds}`);
}

/**
 * Hands the configured rule of a limit the database enforces itself (a trigger: `image_jobs`) to it
 * for this transaction, as a statement to send with the route's others.
 */
export function passRule(tx: Tx, name: UserLimit) {
  const { max, windowSeconds } = limitsConfig().rules[name];
  const setting = dollarQuoted(`pocketllm.rate_limit.${name}`);
  return tx`select set_config(${tx.unsafe(setting)}, ${
    tx.unsafe(dollarQuoted(`${max}/${windowSeconds}`))
  }, true)`;
}

/** One hit of a per-address limit: one statement, one round trip, before the action. */
export async function takeForAddress(name: AddressLimit, address: string): Promise<void> {
  const { max, windowSeconds } = limitsConfig().rules[name];
  await serviceReader()((tx) =>
    tx`select private.take_rate_limit(${name}, ${address}, ${max}, ${windowSeconds})`
  )
    .catch(throwRateLimited);
}

interface PostgresRefusal {
  code?: string;
  message?: string;
  detail?: string;
  hint?: string;
}

function sentence(name: string, hint: string | undefined, seconds: number): string {
  const wait = `Try again in ${seconds} second${seconds === 1 ? "" : "s"}.`;
  if (name === LOCKOUT) return `Too many failed sign-ins for this email from your network. ${wait}`;
  const spec = LIMITS[name as LimitName];
  const [max, windowSeconds] = (hint ?? "").split("/").map(Number);
  const rate = max && windowSeconds ? `: at most ${max} per ${windowText(windowSeconds)}` : "";
  return `Too many ${spec?.label ?? name.replaceAll("_", " ")}${rate}. ${wait}`;
}

/** The 429 for a refused hit (Postgres's RL429), or undefined for any other error. */
export function rateLimitError(error: unknown): ApiError | undefined {
  const refusal = error as PostgresRefusal | null;
  if (refusal?.code !== RATE_LIMITED) return undefined;
  const seconds = Math.max(1, Math.ceil(Number(refusal.detail) || 1));
  const name = refusal.message ?? "";
  return new ApiError(429, "rate_limited", sentence(name, refusal.hint, seconds), {
    "Retry-After": String(seconds),
  });
}

/** Rethrows a refused hit as its 429, anything else as it is. */
export function throwRateLimited(error: unknown): never {
  throw rateLimitError(error) ?? error;
}
