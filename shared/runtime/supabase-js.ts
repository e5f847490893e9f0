/**
 * supabase-js, loaded on first use: evaluating it is about a fifth of the api function's boot
 * (bench/cold-start.ts), and most requests (chats, models, jobs) never reach Auth or Storage. The
 * import is a string literal, so a deploy still bundles it.
 * @module
 */
export type SupabaseJs = typeof import("@supabase/supabase-js");

let loading: Promise<SupabaseJs> | undefined;

export function supabaseJs(): Promise<SupabaseJs> {
  loading ??= import("@supabase/supabase-js");
  return loading;
}
