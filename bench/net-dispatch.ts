/**
 * How fast the pg_net stand-in delivers: N requests (default 1000) queued with net.http_post in one
 * transaction to a local endpoint, then single requests committed one at a time. Prints the latency
 * from COMMIT to arrival (p50/p99/max), the delivery throughput and when the last response was recorded.
 * Needs a running stack (SUPABASE_DB_URL, e.g. `eval "$(bash stack/bin/test-env)"`).
 *
 *   deno run -A bench/net-dispatch.ts [requests=1000] [singles=50]
 */
import postgres from "postgres";

const requests = Number(Deno.args[0] ?? 1000);
const singles = Number(Deno.args[1] ?? 50);
const dbUrl = Deno.env.get("SUPABASE_DB_URL");
if (!dbUrl) throw new Error('SUPABASE_DB_URL is not set: eval "$(bash stack/bin/test-env)" first.');

const arrivals = new Map<number, number>();
let onArrival = () => {};
const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (request) => {
  const { n } = await request.json();
  arrivals.set(n, performance.now());
  onArrival();
  return new Response("ok");
});
const url = `http://127.0.0.1:${server.addr.port}/bench`;
const sql = postgres(dbUrl, { max: 2, onnotice: () => {} });

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

function summary(latencies: number[]): string {
  const sorted = [...latencies].sort((a, b) => a - b);
  const ms = (value: number) => `${value.toFixed(1)} ms`;
  return `min ${ms(sorted[0])}, p50 ${ms(percentile(sorted, 50))}, p99 ${ms(percentile(sorted, 99))}, max ${
    ms(sorted.at(-1)!)
  }`;
}

function arrivalOf(count: number): Promise<void> {
  return new Promise((resolve) => {
    onArrival = () => arrivals.size >= count && resolve();
    onArrival();
  });
}

/** Queues `ns` in one transaction; returns the request ids and the moment COMMIT was sent. */
async function queueInOneTransaction(ns: number[]): Promise<{ ids: string[]; committedAt: number }> {
  const connection = await sql.reserve();
  try {
    await connection`begin`;
    const rows = await connection`
      select net.http_post(${url}, jsonb_build_object('n', n))::text as id from unnest(${ns}::int[]) as n`;
    const committedAt = performance.now();
    await connection`commit`;
    return { ids: rows.map((row) => row.id), committedAt };
  } finally {
    connection.release();
  }
}

async function waitForResponses(ids: string[]): Promise<void> {
  while (true) {
    const [{ n }] =
      await sql`select count(*)::int as n from net._http_response where id = any(${ids}::bigint[])`;
    if (n === ids.length) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

async function burst(): Promise<string[]> {
  const ns = Array.from({ length: requests }, (_, i) => i);
  const { ids, committedAt } = await queueInOneTransaction(ns);
  await arrivalOf(requests);
  await waitForResponses(ids);
  const recordedAt = performance.now();
  const latencies = ns.map((n) => arrivals.get(n)! - committedAt);
  const lastArrival = Math.max(...latencies);
  console.log(`burst: ${requests} requests in one transaction`);
  console.log(`  commit -> arrival: ${summary(latencies)}`);
  console.log(`  throughput: ${Math.round(requests / (lastArrival / 1000))} requests/s`);
  console.log(`  all responses recorded ${(recordedAt - committedAt).toFixed(1)} ms after commit`);
  return ids;
}

async function oneAtATime(): Promise<string[]> {
  const latencies: number[] = [];
  const allIds: string[] = [];
  for (let i = 0; i < singles; i++) {
    const n = requests + i;
    const { ids, committedAt } = await queueInOneTransaction([n]);
    await arrivalOf(arrivals.size + 1);
    latencies.push(arrivals.get(n)! - committedAt);
    allIds.push(...ids);
  }
  console.log(`single: ${singles} transactions of one request, one after the other`);
  console.log(`  commit -> arrival: ${summary(latencies)}`);
  return allIds;
}

const ids: string[] = [];
try {
  ids.push(...await burst());
  ids.push(...await oneAtATime());
} finally {
  await sql`delete from net._http_response where id = any(${ids}::bigint[])`;
  await sql.end();
  await server.shutdown();
}
