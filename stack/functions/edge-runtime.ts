/**
 * How a function runs here as it runs on Supabase's hosted edge runtime: the runtime's Deno (2.1.4,
 * from npm as `deno-edge`), its permissions — network, environment, reading the function's own files
 * and /tmp, writing /tmp only, no subprocesses, no FFI — and its memory limit (256 MB of V8 heap, split
 * into generations as the runtime's isolate has it).
 * @module
 */
import { join } from "node:path";
import { ROOT } from "../config.ts";

/** The Deno the hosted edge runtime embeds (edge-runtime v1.74: Deno 2.1.4). */
export const EDGE_DENO_VERSION = "2.1.4";
/** The platform's memory limit per function instance, in MB. */
export const MEMORY_LIMIT_MB = 256;

/** The runtime's Deno, installed by npm with the stack (package.json: `"deno-edge"`, Deno 2.1.4 for Linux x64). */
export const EDGE_DENO = join(ROOT, "node_modules", "deno-edge", "deno");

/** What the function may touch: what the CLI uploads of it (shared/ and supabase/functions/), and /tmp. */
export function permissionFlags(root: string): string[] {
  const ownFiles = [join(root, "shared"), join(root, "supabase", "functions"), "/tmp"];
  return [
    "--allow-net",
    "--allow-env",
    `--allow-read=${ownFiles.join(",")}`,
    "--allow-write=/tmp",
    "--deny-run",
    "--deny-ffi",
    "--no-prompt",
    // The runtime gives each function's isolate `heap_limits(0, 256 MB)`: V8 splits that limit into an
    // old generation and a young one sized from it (semi-spaces of ~1 MB, not the 16 MB V8 grows to by
    // default). `--max-heap-size` makes the same split; `--max-old-space-size` would leave the young
    // generation at its default and overstate a busy function's memory by ~30 MB (bench/README.md).
    `--v8-flags=--max-heap-size=${MEMORY_LIMIT_MB}`,
  ];
}

/** The project a function's entrypoint belongs to: the folder holding its `supabase/functions/`. */
export function projectOf(entrypoint: string): string {
  const at = entrypoint.lastIndexOf("/supabase/functions/");
  if (at < 0) throw new Error(`${entrypoint} is not under a project's supabase/functions/`);
  return entrypoint.slice(0, at);
}

/** The arguments of `deno run` for `entrypoint` under the runtime's rules, with its import map. */
export function edgeRunArgs(
  importMap: string,
  script: string,
  entrypoint: string,
  ...args: string[]
): string[] {
  return [
    "run",
    ...permissionFlags(projectOf(entrypoint)),
    "--config",
    importMap,
    script,
    entrypoint,
    ...args,
  ];
}

/**
 * Environment the runtime's Deno needs from the machine: Deno 2.1 reaches the npm registry only
 * when told to trust the system's certificate store (`DENO_TLS_CA_STORE=system`).
 */
export const EDGE_DENO_ENV = { DENO_TLS_CA_STORE: "system", DENO_NO_UPDATE_CHECK: "1" };
