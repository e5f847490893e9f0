/**
 * Authenticated `GET /api/v1/users/profile` through the gateway and the api function (token
 * verification, an RLS transaction) next to a bare Hono + postgres.js endpoint running the same
 * query, in the same run, at the same concurrency. Needs a running stack (SUPABASE_* variables).
 *
 *   deno run -A bench/profile.ts [concurrency=8] [seconds=5]
 */
import { call, signUpUser } from "../tests/helpers/api.ts";
import { env, functionsUrl } from "../tests/helpers/env.ts";
import { startBareServer } from "./support/bare-server.ts";
import { formatLoad, load } from "./support/load.ts";

const concurrency = Number(Deno.args[0] ?? 8);
const durationMs = Number(Deno.args[1] ?? 5) * 1000;

const user = await signUpUser("Bench User");
const check = await call("/v1/users/profile", { token: user.token });
if (check.status !== 200) throw new Error(`profile answered ${check.status}`);

await using bare = await startBareServer(env.dbUrl);

const viaApi = () =>
  fetch(`${functionsUrl}/api/v1/users/profile`, { headers: { authorization: `Bearer ${user.token}` } });
const direct = () => fetch(`${bare.url}/profile/${user.id}`);
await load(viaApi, { concurrency, durationMs: 1_000 }); // warm both paths
await load(direct, { concurrency, durationMs: 1_000 });
const api = await load(viaApi, { concurrency, durationMs });
const baseline = await load(direct, { concurrency, durationMs });

console.log(`concurrency ${concurrency}, ${durationMs / 1000} s each\n`);
console.log("| endpoint | requests/s | p50 ms | p99 ms | errors |\n|---|---|---|---|---|");
console.log(formatLoad("api: GET /api/v1/users/profile", api));
console.log(formatLoad("bare Hono + postgres.js", baseline));
console.log(`\nthroughput ratio api / bare: ${(api.perSecond / baseline.perSecond).toFixed(2)}x`);
