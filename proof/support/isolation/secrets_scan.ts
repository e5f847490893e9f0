/**
 * The secrets scan: every response recorded during the run plus the stack's log, searched for every
 * provider key the users activated, the service-role key, the sb_secret_ key, the JWT secret and the
 * users' passwords. Each kind is counted separately so the report shows what was looked for.
 * @module
 */
import { env, stackLog } from "../../../tests/helpers/env.ts";
import type { Recorder } from "./recorder.ts";
import type { SeededUser } from "./seed.ts";

export interface ScanRow {
  kind: string;
  values: number;
  hitsInResponses: number;
  hitsInLog: number;
}

export interface ScanOutcome {
  responses: number;
  logBytes: number;
  rows: ScanRow[];
}

function occurrences(haystack: string, needle: string): number {
  if (!needle) return 0;
  return haystack.split(needle).length - 1;
}

export async function scanSecrets(rec: Recorder, users: SeededUser[]): Promise<ScanOutcome> {
  const responses = rec.allText();
  const log = await stackLog();
  const kinds: [string, string[]][] = [
    ["provider keys", users.flatMap((user) => user.providerKeys)],
    ["service-role key", [env.serviceRoleKey]],
    ["sb_secret_ key", [env.secretKey]],
    ["JWT secret", [env.jwtSecret]],
    ["passwords", users.map((user) => user.user.password)],
  ];
  const rows = kinds.map(([kind, values]) => {
    const present = values.filter(Boolean);
    return {
      kind,
      values: present.length,
      hitsInResponses: present.reduce((sum, value) => sum + occurrences(responses, value), 0),
      hitsInLog: present.reduce((sum, value) => sum + occurrences(log, value), 0),
    };
  });
  return { responses: rec.responses.length, logBytes: log.length, rows };
}
