/**
 * The secrets of a recorded run and where they turn up. Provider keys and passwords are taken from
 * what clients sent (every `api_key`, `apiKey` and `password` in a request body), the platform's secrets from
 * the stack's variables; then every answer (headers and body) and every log is searched for each.
 * @module
 */
import type { TrafficEntry } from "../../../stack/traffic-recorder.ts";

export interface SecretKind {
  kind: string;
  values: string[];
}

export interface ScanRow {
  kind: string;
  values: number;
  hitsInResponses: number;
  /** Hits by log file name. */
  hitsInLogs: Record<string, number>;
}

/** Values of `"field": "..."` in request bodies, at least `minLength` long (shorter ones are junk input). */
function sentValues(entries: TrafficEntry[], field: string, minLength: number): string[] {
  const pattern = new RegExp(`"${field}"\\s*:\\s*"((?:[^"\\\\]|\\\\.){${minLength},})"`, "g");
  const values = new Set<string>();
  for (const entry of entries) {
    for (const match of entry.request.body.matchAll(pattern)) values.add(JSON.parse(`"${match[1]}"`));
  }
  return [...values];
}

export function secretsOf(entries: TrafficEntry[], env: Record<string, string>): SecretKind[] {
  return [
    {
      kind: "provider keys (sent as api_key or apiKey)",
      values: [...sentValues(entries, "api_key", 12), ...sentValues(entries, "apiKey", 12)],
    },
    { kind: "passwords (sent as password)", values: sentValues(entries, "password", 8) },
    { kind: "service-role key", values: [env.SUPABASE_SERVICE_ROLE_KEY] },
    { kind: "sb_secret_ key", values: [env.SUPABASE_SECRET_KEY] },
    { kind: "JWT secret", values: [env.SUPABASE_JWT_SECRET] },
  ];
}

const count = (haystack: string, needle: string) => haystack.split(needle).length - 1;

export function scan(kinds: SecretKind[], entries: TrafficEntry[], logs: Record<string, string>): ScanRow[] {
  const answers = entries.map((entry) => JSON.stringify(entry.response.headers) + entry.response.body).join(
    "\n",
  );
  return kinds.map(({ kind, values }) => {
    const present = values.filter(Boolean);
    const hits = (text: string) => present.reduce((sum, value) => sum + count(text, value), 0);
    return {
      kind,
      values: present.length,
      hitsInResponses: hits(answers),
      hitsInLogs: Object.fromEntries(Object.entries(logs).map(([name, text]) => [name, hits(text)])),
    };
  });
}
