/**
 * Supabase Storage with the service credential: the API's and the worker's trusted paths write,
 * sign and remove files through it (or as a user, where Storage's policies should decide) (Storage's own API: SQL cannot delete Storage's files). It is
 * reached on `SUPABASE_URL`, the functions' own way in; a URL it returns for a client goes out on
 * the public API URL instead (`clientUrl`).
 * @module
 */
import type { SupabaseClient } from "@supabase/supabase-js";
import { supabaseJs } from "../runtime/supabase-js.ts";
import { type Config, config, serviceCredentials } from "../config/env.ts";

/** Storage removes at most this many paths per request. */
const REMOVE_CHUNK = 1000;

let client: SupabaseClient | undefined;

/** The isolate's Storage client with the service credential. */
export async function serviceStorage(): Promise<SupabaseClient["storage"]> {
  if (!client) {
    const { createClient } = await supabaseJs();
    const [key] = serviceCredentials();
    if (!key) {
      throw new Error(
        "A service key (SUPABASE_SERVICE_ROLE_KEY or SUPABASE_SECRET_KEYS) is needed to reach Storage.",
      );
    }
    client = createClient(config().supabaseUrl, key, {
      auth: { persistSession: false, autoRefreshToken: false },
    });
  }
  return client.storage;
}

/**
 * Storage as the user holding `accessToken`: Storage's RLS policies decide what they may write,
 * read and delete, as for any client of theirs.
 */
export async function userStorage(accessToken: string): Promise<SupabaseClient["storage"]> {
  const { supabaseUrl, publicKey } = config();
  const { createClient } = await supabaseJs();
  return createClient(supabaseUrl, publicKey, {
    auth: { persistSession: false, autoRefreshToken: false },
    global: { headers: { Authorization: `Bearer ${accessToken}` } },
  }).storage;
}

/**
 * A URL built on `SUPABASE_URL` (a signed or public Storage URL), moved to the public API URL
 * (`PUBLIC_API_URL`): same path and query on the gateway clients reach. Unchanged when both agree.
 */
export function clientUrl(url: string, urls: Pick<Config, "supabaseUrl" | "publicUrl"> = config()): string {
  const { supabaseUrl, publicUrl } = urls;
  if (publicUrl === supabaseUrl) return url;
  if (url.startsWith(`${supabaseUrl}/`)) return publicUrl + url.slice(supabaseUrl.length);
  const { pathname, search } = new URL(url);
  return publicUrl + pathname + search;
}

/** Deletes the files of one bucket (missing ones are ignored); returns how many Storage removed. */
export async function removeObjects(bucket: string, paths: string[]): Promise<number> {
  let removed = 0;
  for (let start = 0; start < paths.length; start += REMOVE_CHUNK) {
    const { data, error } = await (await serviceStorage()).from(bucket).remove(
      paths.slice(start, start + REMOVE_CHUNK),
    );
    if (error) throw new Error(`Storage refused to remove files from ${bucket}: ${error.message}`);
    removed += data?.length ?? 0;
  }
  return removed;
}
