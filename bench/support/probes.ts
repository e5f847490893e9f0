/**
 * What bench/load.ts watches while the load runs: Postgres connections (pg_stat_activity) and the
 * resident memory of the stack's api function process (/proc/<pid>/status VmRSS).
 * @module
 */
import postgres from "postgres";

/** Samples `select count(*) from pg_stat_activity` (its own connection included) every `everyMs`. */
export function connectionSampler(dbUrl: string, everyMs = 1_000) {
  const sql = postgres(dbUrl, { max: 1, onnotice: () => {} });
  const samples: number[] = [];
  const sample = async () => {
    const [row] = await sql<{ n: number }[]>`select count(*)::int as n from pg_stat_activity`;
    samples.push(row.n);
    return row.n;
  };
  let timer: ReturnType<typeof setInterval> | undefined;
  return {
    sample,
    /** Starts sampling; `stop()` gives the samples taken since. */
    start() {
      samples.length = 0;
      timer = setInterval(() => void sample().catch(() => {}), everyMs);
    },
    stop(): number[] {
      clearInterval(timer);
      return [...samples];
    },
    close: () => sql.end(),
  };
}

/** The pid of the api function process started by the stack recorded in `stateDir`/stack.json. */
export async function apiFunctionPid(stateDir: string): Promise<number> {
  const stackPid = JSON.parse(await Deno.readTextFile(`${stateDir}/stack.json`)).pid;
  const found = await new Deno.Command("pgrep", { args: ["-f", "supabase/functions/api/index.ts"] }).output();
  const pids = new TextDecoder().decode(found.stdout).trim().split("\n").filter(Boolean).map(Number);
  for (const pid of pids) {
    if (await parentOf(pid) === stackPid) return pid;
  }
  throw new Error(`no api function process under the stack's pid ${stackPid} (pgrep: ${pids.join(", ")})`);
}

async function parentOf(pid: number): Promise<number | null> {
  try {
    return Number(/^PPid:\s+(\d+)/m.exec(await Deno.readTextFile(`/proc/${pid}/status`))?.[1]);
  } catch {
    return null;
  }
}

/** VmRSS of `pid` in MiB. */
export async function rssMiB(pid: number): Promise<number> {
  const status = await Deno.readTextFile(`/proc/${pid}/status`);
  const kib = Number(/^VmRSS:\s+(\d+) kB/m.exec(status)?.[1]);
  return kib / 1024;
}
