/**
 * Token attacks: every bad token (tests/helpers/tokens.ts) and the token of a user deleted since it
 * was issued, presented to every route that needs a user. Anything but a 401 counts as accepted.
 * @module
 */
import { signUpUser } from "../../../tests/helpers/api.ts";
import { deleteUsers } from "../../../tests/helpers/auth_platform.ts";
import { badTokens } from "../../../tests/helpers/tokens.ts";
import type { Recorder } from "./recorder.ts";
import { bodyFor, expand, type Operation, parameterValues, queryFor } from "./route_attacks.ts";
import type { SeededUser } from "./seed.ts";

export interface TokenOutcome {
  kinds: number;
  requests: number;
  accepted: string[];
}

/** A token that verified once, whose user is now gone: [kind, token, its user's id]. */
async function deletedUserToken(): Promise<[string, string, string]> {
  const user = await signUpUser("Deleted");
  await deleteUsers(user.id);
  return ["deleted user", user.token, user.id];
}

/**
 * Each route once, with the victim's ids (the token's own user id for users/{user_id}) and a valid
 * body, so that only the token can stop it.
 */
export async function runTokenAttacks(rec: Recorder, operations: Operation[], victim: SeededUser) {
  const forged = (await badTokens(victim.user.id)).map(([kind, token]) => [kind, token, victim.user.id]);
  const tokens = [...forged, await deletedUserToken()];
  const secured = operations.filter((operation) => operation.secured);
  const outcome: TokenOutcome = { kinds: tokens.length, requests: 0, accepted: [] };
  for (const [kind, token, subject] of tokens) {
    const values = { ...parameterValues(victim), user_id: [subject] };
    for (const { method, template } of secured) {
      const body = bodyFor(method, template, victim);
      const [path] = expand(template, values);
      const result = await rec.call(path + queryFor(method, template, victim), { method, token, body });
      outcome.requests += 1;
      if (result.status !== 401) outcome.accepted.push(`${kind}: ${method} ${template} → ${result.status}`);
    }
  }
  return outcome;
}
