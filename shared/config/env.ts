/**
 * The environment Supabase injects into edge functions, read once per isolate.
 * @module
 */

function json<T>(name: string, fallback: T): T {
  const raw = Deno.env.get(name);
  if (!raw) return fallback;
  try {
    return JSON.parse(raw) as T;
  } catch {
    return fallback;
  }
}

/** Every credential that grants the service role: the legacy JWT and the sb_secret_ keys. */
export function serviceCredentials(): string[] {
  const legacy = Deno.env.get("SUPABASE_SERVICE_ROLE_KEY");
  const secretKeys = Object.values(json<Record<string, string>>("SUPABASE_SECRET_KEYS", {}));
  return [legacy, ...secretKeys].filter((key): key is string => typeof key === "string" && key.length > 0);
}
