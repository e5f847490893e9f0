/**
 * The ratio of bench/load.ts on its own: authenticated `GET /api/v1/chats` (a full page of 50
 * chats) through the gateway and from the api function directly, against a bare Hono + postgres.js
 * endpoint running the same query (see bench/support/chats-ratio.ts). Goal: ≥ 0.6×.
 *
 * Usage (a running local stack, SUPABASE_* set):
 *   deno run -A bench/chats-ratio.ts [--seconds 5] [--rounds 3] [--connections 16]
 * @module
 */
import { parseArgs } from "node:util";
import { env } from "../tests/helpers/env.ts";
import { signUpUser } from "../tests/helpers/api.ts";
import { createChat } from "../tests/helpers/chats.ts";
import { chatsRatio, printRatio } from "./support/chats-ratio.ts";

const { values } = parseArgs({
  args: Deno.args,
  options: {
    seconds: { type: "string", default: "5" },
    rounds: { type: "string", default: "3" },
    connections: { type: "string", default: "16" },
  },
});
const seconds = Number(values.seconds);
const rounds = Number(values.rounds);

const user = await signUpUser();
for (let i = 0; i < 51; i++) await createChat(user, { title: `Chat ${i}` });
const rows = await chatsRatio({
  origin: new URL(env.url).origin,
  dbUrl: env.dbUrl,
  poolerUrl: env.poolerUrl || undefined,
  token: user.token,
  userId: user.id,
  connections: Number(values.connections),
  seconds,
  rounds,
});
printRatio(rows, seconds, rounds);
