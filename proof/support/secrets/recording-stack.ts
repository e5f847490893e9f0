/**
 * A local stack of its own (new state folder, free ports) whose gateway records every request and
 * answer (STACK_RECORD_TRAFFIC, stack/traffic-recorder.ts), for proof/secrets.ts.
 * @module
 */
import { join } from "node:path";
import { freePort, run } from "../../../stack/process.ts";

const ROOT = new URL("../../..", import.meta.url).pathname;

export interface RecordingStack {
  /** The SUPABASE_* and STACK_* variables the tests read for this stack. */
  env: Record<string, string>;
  stateDir: string;
  trafficFile: string;
  [Symbol.asyncDispose](): Promise<void>;
}

const cli = (args: string[], env: Record<string, string>) =>
  run([Deno.execPath(), "run", "-A", join(ROOT, "stack", "cli.ts"), ...args], { env, cwd: ROOT });

export async function startRecordingStack(): Promise<RecordingStack> {
  const stateDir = await Deno.makeTempDir({ prefix: "stack-secrets-" });
  const trafficFile = join(stateDir, "traffic.jsonl");
  const stackEnv = {
    ...Deno.env.toObject(),
    STACK_STATE_DIR: stateDir,
    STACK_API_PORT: String(freePort()),
    STACK_DB_PORT: String(freePort()),
    STACK_POOLER_PORT: String(freePort()),
    STACK_RECORD_TRAFFIC: trafficFile,
  };
  await cli(["start"], stackEnv);
  const status = (await cli(["status", "-o", "env"], stackEnv)).stdout;
  const value = (name: string) => new RegExp(`^${name}="?([^"\\n]*)"?$`, "m").exec(status)?.[1] ?? "";
  const env = {
    ...stackEnv,
    SUPABASE_URL: value("API_URL"),
    SUPABASE_DB_URL: value("DB_URL"),
    SUPABASE_ANON_KEY: value("ANON_KEY"),
    SUPABASE_SERVICE_ROLE_KEY: value("SERVICE_ROLE_KEY"),
    SUPABASE_SECRET_KEY: value("SECRET_KEY"),
    SUPABASE_PUBLISHABLE_KEY: value("PUBLISHABLE_KEY"),
    SUPABASE_JWT_SECRET: value("JWT_SECRET"),
    // Its own pooler, not one a shell prepared for another stack left in the environment.
    DB_POOLER_URL: value("DB_POOLER_URL"),
  };
  return {
    env,
    stateDir,
    trafficFile,
    async [Symbol.asyncDispose]() {
      await cli(["stop"], stackEnv);
      await Deno.remove(stateDir, { recursive: true }).catch(() => {});
    },
  };
}
