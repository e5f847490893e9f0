/**
 * Brute-force protection for sign-in (README "Brute-force protection"). Auth sees every sign-in
 * coming from the function's own address, so its per-address limit cannot tell attackers apart:
 * failures are counted here, in Postgres, per (email, client address) and per email over all
 * addresses, and checked before Auth is called, so a locked-out attempt never reaches Auth.
 *
 * The lockout keys on (email, address): an attacker's failures lock out the attacker's address, not
 * the owner signing in from another one. The count over all addresses only tightens the threshold
 * (to a single failure per address) once an email draws many failures within the hour, as a spread
 * attack does; an address without failures for the email is never refused by it. Nothing here
 * looks the account up: unknown and known emails get the same answers, through the same statements.
 * @module
 */
import { serviceReader } from "../db/client.ts";
import { limitsConfig } from "../limits/config.ts";
import { throwRateLimited } from "../limits/service.ts";

/**
 * Before Auth: one hit of the address's sign-in limit and the lockout check (one statement); 429
 * when either refuses. The attempt let through counts as a failure of (email, address) until a
 * success clears it, so attempts in flight together cannot pass the threshold.
 */
export async function checkSignIn(email: string, address: string): Promise<void> {
  const { rules: { sign_in: rule }, lockout } = limitsConfig();
  await serviceReader()((tx) =>
    tx<{ failures: number }[]>`
      select private.check_sign_in(${email}, ${address}, ${rule.max}, ${rule.windowSeconds},
        ${lockout.after}, ${lockout.baseSeconds}, ${lockout.maxSeconds}, ${lockout.emailAfter}) as failures`
  ).catch(throwRateLimited);
}

/** Auth refused the credentials: one more failure of the email over all addresses. */
export async function recordFailure(email: string): Promise<void> {
  await serviceReader()((tx) => tx`select private.record_sign_in_failure(${email})`);
}

/** A successful sign-in forgets this address's failures for the email (the others' stay). */
export async function clearFailures(email: string, address: string): Promise<void> {
  await serviceReader()((tx) => tx`select private.clear_sign_in_failures(${email}, ${address})`);
}
