/**
 * The api function's app as `supabase/functions/api/index.ts` serves it, plus `GET /__memory`
 * (`Deno.memoryUsage()`), for bench/cold-start.ts: the heap can only be read from inside.
 *
 *   deno run <runtime permissions> --config supabase/functions/deno.json bench/support/measured-api.ts <port>
 * @module
 */
import { createApi, warmDatabase } from "../../shared/api.ts";

const app = createApi();
warmDatabase();
Deno.serve(
  { hostname: "127.0.0.1", port: Number(Deno.args[0]), onListen: () => {} },
  (request) =>
    new URL(request.url).pathname === "/__memory" ? Response.json(Deno.memoryUsage()) : app.fetch(request),
);
