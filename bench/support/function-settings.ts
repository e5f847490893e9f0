/**
 * The environment the local stack gives a function (its settings, the stack's URLs and keys), for
 * benches that spawn the `api` function's app themselves.
 * @module
 */
import { join } from "node:path";
import { functionEnv, localDevelopmentEnv, type StackConfig } from "../../stack/config.ts";
import { EDGE_DENO_ENV } from "../../stack/functions/edge-runtime.ts";
import { parseDotenv } from "../../stack/functions/manager.ts";

export function functionSettings(config: StackConfig): Record<string, string> {
  let user: Record<string, string> = {};
  try {
    user = parseDotenv(Deno.readTextFileSync(join(config.root, "supabase", "functions", ".env")));
  } catch { /* no .env */ }
  return {
    PATH: Deno.env.get("PATH") ?? "",
    HOME: Deno.env.get("HOME") ?? "",
    ...EDGE_DENO_ENV,
    ...localDevelopmentEnv(),
    ...user,
    ...functionEnv(config),
  };
}
