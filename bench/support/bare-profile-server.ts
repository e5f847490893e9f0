/**
 * The baseline of bench/profile.ts and bench/load.ts: a bare Hono + postgres.js server running the
 * API's queries (a profile; a user's first page of chats) with no gateway, no token verification
 * and no RLS transaction. Prints its port.
 *
 *   deno run -A bench/support/bare-profile-server.ts   (SUPABASE_DB_URL set)
 *
 * BARE_PREPARE=false turns postgres.js's prepared statements off, as behind a transaction pooler.
 */
import { Hono } from "hono";
import postgres from "postgres";
import { timestamptz } from "../../shared/db/timestamps.ts";

const prepare = Deno.env.get("BARE_PREPARE") !== "false";
const sql = postgres(Deno.env.get("SUPABASE_DB_URL")!, { max: 10, prepare });
const app = new Hono();
app.get("/profile/:id", async (c) => {
  const [profile] = await sql`select * from public.profiles where id = ${c.req.param("id")}`;
  return profile ? c.json(profile) : c.json({ detail: "not found" }, 404);
});
// The query of GET /api/v1/chats (shared/chats/service.ts listChats, default page of 50 + 1).
const firstChats = (tx: postgres.Sql | postgres.ReservedSql, userId: string) =>
  tx`select id, user_id, title, model_config_id, created_at, updated_at from public.chats
     where user_id = ${userId} order by updated_at desc, id desc limit 51`;
app.get("/chats/:userId", async (c) => c.json((await firstChats(sql, c.req.param("userId"))).slice(0, 50)));
// The same with timestamps read as ISO text, as the API's client reads them (shared/db/timestamps.ts).
const textTimes = postgres(Deno.env.get("SUPABASE_DB_URL")!, { max: 10, prepare, types: { timestamptz } });
app.get(
  "/chats-text-times/:userId",
  async (c) => c.json((await firstChats(textTimes, c.req.param("userId"))).slice(0, 50)),
);
// The same inside an RLS transaction as the API makes it for a one-statement read (shared/db/client.ts
// userReader): a reserved connection, `begin` + claims + query + `commit` in one round trip; no
// token check, no error handling.
app.get("/chats-rls/:userId", async (c) => {
  const userId = c.req.param("userId");
  const claims = JSON.stringify({ sub: userId, role: "authenticated" });
  const tx = await sql.reserve();
  try {
    const [, , rows] = await Promise.all([
      tx`begin`.execute(),
      tx`select private.assume_user(${claims})`.execute(),
      firstChats(tx, userId).execute(),
      tx`commit`.execute(),
    ]);
    return c.json(rows.slice(0, 50));
  } finally {
    tx.release();
  }
});
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) }, app.fetch);
