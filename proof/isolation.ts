/**
 * The isolation proof (issue 9): two users with real data made through the API; B tries every route
 * of the OpenAPI document with A's ids, direct SQL with forged claims and as anon, and every kind of
 * bad token; A's rows must be unchanged and no response or log line may hold a secret.
 *
 * Usage (a running stack, SUPABASE_* set): deno run -A proof/isolation.ts
 * Exits 1 when anything leaked or was accepted.
 * @module
 */
import { startFakeImages } from "../tests/helpers/fake_images.ts";
import { startFakeLlm } from "../tests/helpers/fake_llm.ts";
import { startFakeProvider } from "../tests/helpers/fake_providers.ts";
import { runApiAttacks } from "./support/isolation/api_isolation.ts";
import { Recorder } from "./support/isolation/recorder.ts";
import { type CheckRow, printReport } from "./support/isolation/report.ts";
import { buildAttacks, loadOperations, type Operation } from "./support/isolation/route_attacks.ts";
import { scanSecrets } from "./support/isolation/secrets_scan.ts";
import { type Fakes, secretsOf, type SeededUser, seedUser } from "./support/isolation/seed.ts";
import { changedTables, rowCount, snapshotUser } from "./support/isolation/snapshot.ts";
import { runSqlAttacks } from "./support/isolation/sql_attacks.ts";
import { runTokenAttacks } from "./support/isolation/token_attacks.ts";

async function apiChecks(rec: Recorder, a: SeededUser, b: SeededUser, operations: Operation[]) {
  const attacks = buildAttacks(operations, a, b.chatIds[0]);
  const api = await runApiAttacks(rec, attacks, b.user.token, secretsOf(a));
  const methods = Object.entries(api.byMethod).map(([method, count]) => `${method} ${count}`).join(", ");
  console.log(`${operations.length} operations in the OpenAPI document; B sent ${api.requests} (${methods})`);
  return [
    { check: "B's responses holding A's data", tried: api.requests, failures: api.leaks },
    { check: "B's 2xx on A's ids", tried: attacks.filter((a) => a.foreignId).length, failures: api.accepted },
    { check: "B's requests answered 5xx", tried: api.requests, failures: api.serverErrors },
    {
      check: "A's shares: published 200, revoked 404",
      tried: attacks.filter((a) => a.share).length,
      failures: api.shares,
    },
  ];
}

async function sqlChecks(a: SeededUser, b: SeededUser): Promise<CheckRow[]> {
  const { attempts, ownerReads, ownTenant } = await runSqlAttacks(a, b);
  return [
    {
      check: "SQL as authenticated(B) / anon succeeded",
      tried: attempts.length,
      failures: attempts.filter((attempt) => attempt.succeeded).map((at) => `${at.name}: ${at.query}`),
    },
    {
      check: "own-tenant writes of server-owned columns (B, own rows)",
      tried: ownTenant.length,
      failures: ownTenant.filter((attempt) => attempt.succeeded).map((at) => `${at.name}: ${at.query}`),
    },
    {
      check: "control: the same reads as A find A's rows",
      tried: ownerReads.length,
      failures: ownerReads.filter((read) => !read.succeeded).map((read) => read.name),
    },
  ];
}

async function attack(rec: Recorder, a: SeededUser, b: SeededUser): Promise<CheckRow[]> {
  const before = await snapshotUser(a.user.id);
  const operations = await loadOperations();
  const rows = [...await apiChecks(rec, a, b, operations), ...await sqlChecks(a, b)];
  const tokens = await runTokenAttacks(rec, operations, a);
  const control = await rec.call(`/v1/chats/${a.chatIds[0]}`, { token: a.user.token });
  const changed = changedTables(before, await snapshotUser(a.user.id));
  return [
    ...rows,
    {
      check: `bad tokens accepted (${tokens.kinds} kinds)`,
      tried: tokens.requests,
      failures: tokens.accepted,
    },
    { check: `A's rows changed (${rowCount(before)} rows)`, tried: before.size, failures: changed },
    {
      check: "control: A still reads its chat",
      tried: 1,
      failures: control.status === 200 ? [] : ["refused"],
    },
  ];
}

async function main(): Promise<boolean> {
  const fakes: Fakes = { llm: startFakeLlm(), images: startFakeImages(), groq: startFakeProvider("groq") };
  const rec = new Recorder();
  try {
    const a = await seedUser(rec, fakes, "a");
    const b = await seedUser(rec, fakes, "b");
    const checks = await attack(rec, a, b);
    return printReport(checks, await scanSecrets(rec, [a, b]));
  } finally {
    fakes.images.release();
    await Promise.all([fakes.llm.close(), fakes.images.close(), fakes.groq.close()]);
  }
}

if (import.meta.main) Deno.exit(await main() ? 0 : 1);
