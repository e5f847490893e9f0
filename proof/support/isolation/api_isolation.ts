/**
 * Runs the route attacks as user B and judges each answer: a leak is any of A's ids, keys or marker
 * in B's response (beyond what B itself sent), or a 2xx on a path naming A's row.
 * @module
 */
import type { Attack } from "./route_attacks.ts";
import type { Recorder } from "./recorder.ts";

export interface ApiOutcome {
  requests: number;
  byMethod: Record<string, number>;
  /** 2xx answers to paths naming A's rows. */
  accepted: string[];
  /** Responses holding A's data. */
  leaks: string[];
  /** A's published share not readable, or a revoked one still readable. */
  shares: string[];
  serverErrors: string[];
}

export async function runApiAttacks(
  rec: Recorder,
  attacks: Attack[],
  token: string,
  victimSecrets: string[],
): Promise<ApiOutcome> {
  const outcome: ApiOutcome = {
    requests: 0,
    byMethod: {},
    accepted: [],
    leaks: [],
    shares: [],
    serverErrors: [],
  };
  for (const attack of attacks) {
    const label = `${attack.method} ${attack.path}`;
    const result = await rec.call(attack.path, { method: attack.method, token, body: attack.body });
    outcome.requests += 1;
    outcome.byMethod[attack.method] = (outcome.byMethod[attack.method] ?? 0) + 1;
    if (attack.foreignId && result.status < 300) outcome.accepted.push(`${label} → ${result.status}`);
    // A provider that failed is a 424 now: any answer ≥ 500 is a crash.
    if (result.status >= 500) {
      outcome.serverErrors.push(`${label} → ${result.status}`);
    }
    const sent = label + JSON.stringify(attack.body ?? "");
    const text = rec.responses.at(-1)!.text;
    if (attack.share && result.status !== (attack.share === "published" ? 200 : 404)) {
      outcome.shares.push(`${label} (${attack.share}) → ${result.status}`);
    }
    // A published share shows A's words (the marker) by A's choice; never A's ids, email or keys.
    const secrets = attack.share === "published"
      ? victimSecrets.filter((s) => !s.startsWith("marker-"))
      : victimSecrets;
    const found = secrets.filter((secret) => !sent.includes(secret) && text.includes(secret));
    if (found.length) outcome.leaks.push(`${label} → ${result.status} holds ${found.length} of A's values`);
  }
  return outcome;
}
