/**
 * GoTrue's input rules: e-mail and phone formats, password strength, UUIDs and ban durations,
 * with its messages and error codes.
 * @module
 */
import { badRequest, weakPassword } from "./errors.ts";

/** bcrypt only reads the first 72 bytes, so GoTrue refuses anything longer. */
export const MAX_PASSWORD_BYTES = 72;

// The W3C "valid e-mail address" grammar that GoTrue's checkmail.ValidateFormat applies.
const EMAIL_FORMAT =
  /^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-]+@[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;
const UUID_FORMAT = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NIL_UUID = "00000000-0000-0000-0000-000000000000";

/** Checks an e-mail address and returns it lower-cased, as GoTrue stores it. */
export function validateEmail(email: string | undefined): string {
  if (!email) throw badRequest("validation_failed", "An email address is required");
  if (email.length > 255) throw badRequest("validation_failed", "An email address is too long");
  if (!EMAIL_FORMAT.test(email)) {
    throw badRequest("validation_failed", "Unable to validate email address: invalid format");
  }
  return email.toLowerCase();
}

/** Normalises a phone number to E.164 digits without the plus, as GoTrue stores it. */
export function validatePhone(phone: string): string {
  const digits = phone.replace(/[\s+()-]/g, "");
  if (!/^[1-9][0-9]{1,14}$/.test(digits)) {
    throw badRequest("validation_failed", "Invalid phone number format (E.164 required)");
  }
  return digits;
}

/** GoTrue's checkPasswordStrength with no required character sets and HIBP off. */
export function checkPasswordStrength(password: string, minLength: number): void {
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
    throw badRequest("validation_failed", `Password cannot be longer than ${MAX_PASSWORD_BYTES} characters`);
  }
  if (password.length < minLength) {
    throw weakPassword(`Password should be at least ${minLength} characters.`, ["length"]);
  }
}

/** The weak_password note a sign-in with a valid but too short password gets, or undefined. */
export function weakPasswordNote(
  password: string,
  minLength: number,
): { message: string; reasons: string[] } | undefined {
  if (password.length >= minLength) return undefined;
  return { message: `Password should be at least ${minLength} characters.`, reasons: ["length"] };
}

export function isUuid(value: string): boolean {
  return UUID_FORMAT.test(value);
}

export function isNilUuid(value: string): boolean {
  return value === NIL_UUID;
}

const DURATION_UNITS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

/** Parses a Go duration ("24h", "1h30m", "none" = 0) into milliseconds. */
export function parseBanDuration(value: string): number {
  if (value === "none") return 0;
  const parts = [...value.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  const consumed = parts.map((p) => p[0]).join("");
  if (parts.length === 0 || consumed !== value.replace(/^[+]/, "")) {
    throw badRequest(
      "validation_failed",
      `invalid format for ban duration: time: invalid duration "${value}"`,
    );
  }
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * DURATION_UNITS[unit], 0);
}
