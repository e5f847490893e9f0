/**
 * supabase-js, loaded on first use: evaluating it is about a fifth of the api function's boot
 * (bench/cold-start.ts), and most requests (chats, models, jobs) never reach Auth or Storage. The
 * import is a string literal, so a deploy still bundles it.
 * @module
 */
import { loadOnce } from "./load-once.ts";

export type SupabaseJs = typeof import("@supabase/supabase-js");

export const supabaseJs: () => Promise<SupabaseJs> = loadOnce(() => import("@supabase/supabase-js"));
