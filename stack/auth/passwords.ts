/**
 * Password hashes as GoTrue writes them: bcrypt, cost 10 (bcrypt.DefaultCost), `$2a$` prefix.
 * @module
 */
import bcrypt from "bcryptjs";

const COST = 10;

export async function hashPassword(password: string): Promise<string> {
  // bcryptjs writes $2b$; Go's bcrypt writes $2a$. The algorithm is the same for UTF-8 input.
  const salt = (await bcrypt.genSalt(COST)).replace(/^\$2b\$/, "$2a$");
  return await bcrypt.hash(password, salt);
}

/** False for a missing/empty hash or a wrong password, never throws on a malformed hash. */
export async function verifyPassword(password: string, hash: string | null): Promise<boolean> {
  if (!hash) return false;
  try {
    return await bcrypt.compare(password, hash);
  } catch {
    return false;
  }
}

/** Accepts only bcrypt hashes for admin `password_hash` (argon2/scrypt imports are not supported). */
export function isBcryptHash(hash: string): boolean {
  return /^\$2[aby]\$\d{2}\$[./A-Za-z0-9]{53}$/.test(hash);
}

const PASSWORD_ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

/** The random 64-character password admin-created users get when none is given. */
export function randomPassword(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(64));
  return [...bytes].map((byte) => PASSWORD_ALPHABET[byte % PASSWORD_ALPHABET.length]).join("");
}
