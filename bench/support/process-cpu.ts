/**
 * CPU time a process has used so far (Linux schedstat: nanoseconds on a CPU), for the benches.
 * @module
 */

export interface Cpu {
  /** The main thread, where the isolate runs JavaScript (what the edge runtime's CPU timer counts). */
  main: number;
  /** Every thread of the process (adds garbage collection and I/O threads: an upper bound). */
  all: number;
}

/** CPU time `pid` has used so far, in ms. */
export async function cpuMs(pid: number): Promise<Cpu> {
  const onCpu = async (tid: string) =>
    Number((await Deno.readTextFile(`/proc/${pid}/task/${tid}/schedstat`).catch(() => "0")).split(" ")[0]) /
    1e6;
  let all = 0;
  for await (const task of Deno.readDir(`/proc/${pid}/task`)) all += await onCpu(task.name);
  return { main: await onCpu(String(pid)), all };
}
