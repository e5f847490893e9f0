/**
 * Small helpers for child processes and ports.
 * @module
 */

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion; throws with its output when `check` (default) and it fails. */
export async function run(
  command: string[],
  options: { check?: boolean; env?: Record<string, string>; cwd?: string } = {},
): Promise<RunResult> {
  const output = await new Deno.Command(command[0], {
    args: command.slice(1),
    env: options.env,
    cwd: options.cwd,
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  const result = {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
  if (options.check !== false && result.code !== 0) {
    throw new Error(`${command.join(" ")} exited ${result.code}:\n${result.stdout}${result.stderr}`);
  }
  return result;
}

export function isPortFree(port: number, hostname = "127.0.0.1"): boolean {
  try {
    const listener = Deno.listen({ port, hostname });
    listener.close();
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.AddrInUse) return false;
    throw error;
  }
}

/** A port the OS considers free right now. */
export function freePort(): number {
  const listener = Deno.listen({ port: 0, hostname: "127.0.0.1" });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}

export async function waitFor(
  check: () => Promise<boolean>,
  { timeoutMs = 30_000, intervalMs = 50 } = {},
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return true;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
  return false;
}
