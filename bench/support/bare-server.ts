/**
 * Starts bench/support/bare-profile-server.ts as a child process and gives its base URL.
 *
 *   await using bare = await startBareServer(env.dbUrl);
 *   fetch(`${bare.url}/chats/${userId}`);
 * @module
 */

export interface BareServer {
  /** `http://127.0.0.1:<port>` */
  url: string;
  [Symbol.asyncDispose](): Promise<void>;
}

export async function startBareServer(dbUrl: string): Promise<BareServer> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL("./bare-profile-server.ts", import.meta.url).pathname],
    env: { SUPABASE_DB_URL: dbUrl },
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
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
