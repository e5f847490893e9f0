/**
 * Starts bench/support/bare-profile-server.ts as a child process and gives its base URL: on the bench's
 * own Deno straight to Postgres (the goal's baseline), or `asFunction` — on the functions' Deno (2.1.4,
 * their heap limit and import map) through the stack's pooler without prepared statements, as the api
 * function reaches the database (a bare endpoint deployed beside it).
 *
 *   await using bare = await startBareServer(env.dbUrl);
 *   fetch(`${bare.url}/chats/${userId}`);
 * @module
 */
import { join } from "node:path";
import { ROOT } from "../../stack/config.ts";
import { EDGE_DENO, EDGE_DENO_ENV, MEMORY_LIMIT_MB } from "../../stack/functions/edge-runtime.ts";

export interface BareServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  [Symbol.asyncDispose](): Promise<void>;
}

const SCRIPT = new URL("./bare-profile-server.ts", import.meta.url).pathname;

function command(dbUrl: string, asFunction?: { poolerUrl: string }): Deno.Command {
  const output = { stdout: "piped", stderr: "inherit" } as const;
  if (!asFunction) {
    return new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", SCRIPT],
      env: { SUPABASE_DB_URL: dbUrl },
      ...output,
    });
  }
  const config = join(ROOT, "supabase", "functions", "deno.json");
  return new Deno.Command(EDGE_DENO, {
    args: ["run", "-A", `--v8-flags=--max-heap-size=${MEMORY_LIMIT_MB}`, "--config", config, SCRIPT],
    env: { ...EDGE_DENO_ENV, SUPABASE_DB_URL: asFunction.poolerUrl, BARE_PREPARE: "false" },
    ...output,
  });
}

export async function startBareServer(
  dbUrl: string,
  asFunction?: { poolerUrl: string },
): Promise<BareServer> {
  const child = command(dbUrl, asFunction).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const port = Number((await reader.read()).value?.trim());
  reader.releaseLock();
  return {
    url: `http://127.0.0.1:${port}`,
    async [Symbol.asyncDispose]() {
      child.kill();
      await child.status;
    },
  };
}
