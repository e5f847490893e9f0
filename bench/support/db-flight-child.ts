/**
 * The measuring side of bench/db-flight.ts, run on the Deno being measured:
 *   deno run -A --config supabase/functions/deno.json bench/support/db-flight-child.ts <prompt|runtime>
 * Prints `{"select": ms, "read": ms}`.
 * @module
 */
const ROUNDS = 300;
const WARM_UP = 30;

async function child(prompt: boolean) {
  const { promptWrites } = await import("../../shared/db/prompt-writes.ts");
  if (prompt) promptWrites();
  const { default: postgres } = await import("postgres");
  const sql = postgres(Deno.env.get("DB_POOLER_URL")!, { max: 1, prepare: false, onnotice: () => {} });
  const read = () => Promise.all([sql`begin`.execute(), sql`select 1`.execute(), sql`commit`.execute()]);
  const median = async (work: () => Promise<unknown>) => {
    const times: number[] = [];
    for (let i = 0; i < WARM_UP + ROUNDS; i++) {
      const started = performance.now();
      await work();
      if (i >= WARM_UP) times.push(performance.now() - started);
    }
    return times.sort((a, b) => a - b)[times.length >> 1];
  };
  const figures = { select: await median(() => sql`select 1`), read: await median(read) };
  await sql.end();
  console.log(JSON.stringify(figures));
}

await child(Deno.args[0] === "prompt");
