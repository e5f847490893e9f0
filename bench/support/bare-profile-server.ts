/**
 * The baseline of bench/profile.ts: a bare Hono + postgres.js endpoint running the same profile
 * query, with no gateway, no token verification and no RLS transaction. Prints its port.
 *
 *   deno run -A bench/support/bare-profile-server.ts   (SUPABASE_DB_URL set)
 */
import { Hono } from "hono";
import postgres from "postgres";

const sql = postgres(Deno.env.get("SUPABASE_DB_URL")!, { max: 10 });
const app = new Hono();
app.get("/profile/:id", async (c) => {
  const [profile] = await sql`select * from public.profiles where id = ${c.req.param("id")}`;
  return profile ? c.json(profile) : c.json({ detail: "not found" }, 404);
});
Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: ({ port }) => console.log(port) }, app.fetch);
