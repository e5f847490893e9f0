/**
 * The functions behind a transaction pooler (the local stack's PgBouncer, as Supabase's port 6543):
 * the api and the worker reach Postgres only through it, within DB_POOL_MAX connections per isolate;
 * the RLS claims a transaction sets (`set_config(..., true)`) never reach the next client of the same
 * server connection; and nothing on the pooled path prepares statements, which would not survive the
 * switch of server connection between transactions.
 *
 * The tests of one file run one after another, so no other test's pooler traffic is mistaken for the
 * functions' here (the other files reach Postgres directly).
 */
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type postgres from "postgres";
import {
  asUser,
  type Claims,
  connectionSettings,
  createDatabase,
  type Database,
  userReader,
} from "../../shared/db/client.ts";
import { parseDotenv } from "../../stack/functions/manager.ts";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { db, env } from "../helpers/env.ts";
import { callWorker } from "../helpers/jobs.ts";
import { hasLocalPooler, poolerClients, poolerServers, throughPooler } from "../helpers/pooler.ts";

/** Tests that read the pooler's console: a local stack only. */
const local = { ignore: !hasLocalPooler };

/** The functions' DB_POOL_MAX: supabase/functions/.env's, else the default. */
function functionsPoolMax(): number {
  const file = new URL("../../supabase/functions/.env", import.meta.url).pathname;
  const set = existsSync(file) ? parseDotenv(Deno.readTextFileSync(file)).DB_POOL_MAX : undefined;
  return Number(set ?? 10);
}

Deno.test("prepared statements are off behind a transaction pooler: DB_POOLER_URL's, or port 6543", () => {
  const direct = "postgresql://postgres:postgres@db.example.supabase.co:5432/postgres";
  const supavisor = "postgres://postgres.ref:pw@aws-0-eu-west-1.pooler.supabase.com:6543/postgres";
  assert.equal(connectionSettings(direct).prepare, true);
  assert.equal(connectionSettings(direct, { transactionPooler: true }).prepare, false);
  assert.equal(connectionSettings(supavisor).prepare, false);
});

Deno.test({
  name: "the api and the worker reach Postgres only through the pooler, within DB_POOL_MAX each",
  ...local,
  fn: async () => {
    const user = await signUpUser();
    const reads = await Promise.all(
      Array.from({ length: 40 }, () => call("/v1/users/profile", { token: user.token })),
    );
    assert.deepEqual([...new Set(reads.map((read) => read.status))], [200]);
    assert.equal((await callWorker()).status, 200);

    // Their connections stay open 20 s after use: they are the pooler's clients now.
    const clients = (await poolerClients()).filter((client) => client.database === "postgres");
    const of = (fn: string) => clients.filter((client) => client.application_name === fn).length;
    assert.ok(of("api") >= 1, "the api is a client of the pooler");
    assert.ok(of("worker") >= 1, "the worker is a client of the pooler");
    assert.ok(
      of("api") <= functionsPoolMax(),
      `${of("api")} api connections, DB_POOL_MAX ${functionsPoolMax()}`,
    );

    // And every backend that served them is one of the pooler's server connections, none direct.
    const sql = db();
    try {
      const backends = await sql<{ pid: number; application_name: string; client_port: number }[]>`
        select pid, application_name, client_port from pg_stat_activity
        where application_name in ('api', 'worker')`;
      const servers = new Set((await poolerServers()).map((server) => server.local_port));
      assert.ok(backends.length > 0);
      assert.deepEqual(
        backends.filter((backend) => !servers.has(backend.client_port)),
        [],
        "direct connections",
      );
    } finally {
      await sql.end();
    }
  },
});

interface Seen {
  pid: number;
  uid: string | null;
  role: string;
  claims: string;
}

/** Who the connection acts as, and on which server connection (its backend's pid). */
const whoAmI = (connection: postgres.Sql) =>
  connection<Seen[]>`
    select pg_backend_pid() as pid, auth.uid()::text as uid, current_user::text as role,
           coalesce(current_setting('request.jwt.claims', true), '') as claims`;

const claimsOf = (user: TestUser): Claims => ({ sub: user.id, role: "authenticated", aud: "authenticated" });

/** One round of a user's work as the api does it: a transaction, a one-round-trip read, a failing read. */
async function userRound(user: TestUser, database: Database): Promise<Seen[]> {
  const read = userReader(claimsOf(user), database);
  const [inTransaction, [oneStatement], failed] = await Promise.all([
    asUser(claimsOf(user), (tx) => whoAmI(tx), database),
    read(whoAmI),
    read((tx) => tx`select 1 / 0`).then(() => "ran", (error) => error.code),
  ]);
  assert.equal(failed, "22012", "the failing statement fails, and its transaction is rolled back");
  return [...inTransaction, oneStatement];
}

Deno.test({
  name: "claims set for one user's transaction never reach another client on the same server connection",
  ignore: env.poolerUrl === "",
  fn: async () => {
    const users = await Promise.all([signUpUser(), signUpUser()]);
    // One isolate of the functions per user, as the platform runs many; a probe that takes no role.
    const isolates = users.map(() => createDatabase(env.poolerUrl, { max: 4, transactionPooler: true }));
    const probe = throughPooler({ max: 4 });
    const probeMany = (count: number) => Promise.all(Array.from({ length: count }, () => whoAmI(probe)));
    try {
      const seen = users.map((): Seen[] => []);
      const probes: Seen[] = [];
      for (let round = 0; round < 25; round++) {
        // Probes beside the users' work, and right after it, on the server connections it just freed.
        const [mine, theirs, beside] = await Promise.all([
          userRound(users[0], isolates[0]),
          userRound(users[1], isolates[1]),
          probeMany(2),
        ]);
        const after = await probeMany(4);
        seen[0].push(...mine);
        seen[1].push(...theirs);
        probes.push(...beside.flat(), ...after.flat());
      }
      users.forEach((user, i) => {
        for (const row of seen[i]) {
          assert.equal(row.uid, user.id, "each transaction acts as its own user");
          assert.equal(row.role, "authenticated");
          assert.equal(JSON.parse(row.claims).sub, user.id);
        }
      });
      for (const row of probes) {
        assert.deepEqual({ uid: row.uid, role: row.role, claims: row.claims }, {
          uid: null,
          role: "postgres",
          claims: "",
        }, `server connection ${row.pid} kept a transaction's role or claims`);
      }
      // Not vacuous: the users' transactions and the probes took turns on the same server connections.
      const pids = (rows: Seen[]) => new Set(rows.map((row) => row.pid));
      const shared = [...pids(seen[0])].filter((pid) => pids(seen[1]).has(pid));
      assert.ok(shared.length > 0, "both users' transactions ran on one server connection");
      assert.ok([...pids(probes)].some((pid) => shared.includes(pid)), "the probes ran there too");

      // And the probes would see a leak: state a client sets for its session is what the next
      // client of that server connection finds (why the claims are set for the transaction only).
      const marker = crypto.randomUUID();
      const setter = throughPooler({ max: 1 });
      const [{ pid }] = await setter<{ pid: number }[]>`
        select pg_backend_pid() as pid, set_config('pocketllm_test.marker', ${marker}, false)`
        .finally(() => setter.end());
      let found: string | undefined;
      for (let attempt = 0; attempt < 200 && found === undefined; attempt++) {
        const [row] = await probe<{ pid: number; marker: string }[]>`
          select pg_backend_pid() as pid, current_setting('pocketllm_test.marker', true) as marker`;
        if (row.pid === pid) found = row.marker;
      }
      assert.equal(found, marker, "a session setting reached the next client of its server connection");
    } finally {
      await Promise.all([...isolates.map((database) => database.end({ timeout: 1 })), probe.end()]);
    }
  },
});

/**
 * What every server connection of the pooler holds in `pg_prepared_statements` (backend pid to
 * the names seen there): as many transactions at once as it has server connections (each holds its
 * own a moment), again until each was seen. `deallocate` clears them as they are seen.
 */
async function preparedOnServers({ deallocate = false } = {}): Promise<Map<number, string[]>> {
  const found = new Map<number, string[]>();
  for (let round = 0; round < 20; round++) {
    const wanted = (await poolerServers()).map((server) => server.remote_pid);
    if (round > 0 && wanted.every((pid) => found.has(pid))) break;
    const width = wanted.length + 2;
    const sweeper = throughPooler({ max: width });
    try {
      await Promise.all(Array.from({ length: width }, () =>
        sweeper.begin(async (tx) => {
          const [row] = await tx<{ pid: number; names: string[] }[]>`
            select pg_backend_pid() as pid, array(select name from pg_prepared_statements) as names`;
          await tx`select pg_sleep(0.05)`;
          if (deallocate) await tx`deallocate all`;
          found.set(row.pid, [...found.get(row.pid) ?? [], ...row.names]);
        })));
    } finally {
      await sweeper.end();
    }
  }
  return found;
}

Deno.test({
  name: "the api and the worker prepare no statement on the pooler's server connections",
  ...local,
  fn: async () => {
    // The check sees statements where a client does prepare them; and clears them for what follows.
    const preparing = throughPooler({ max: 1, prepare: true });
    try {
      await preparing`select ${1}::int as one`;
    } finally {
      await preparing.end();
    }
    const cleared = [...(await preparedOnServers({ deallocate: true })).values()].flat();
    assert.ok(cleared.length > 0, "a client that prepares leaves its statements on a server connection");

    const user = await signUpUser();
    for (const path of ["/v1/users/profile", "/v1/chats", "/v1/providers", "/v1/models/saved"]) {
      assert.equal((await call(path, { token: user.token })).status, 200, path);
    }
    assert.equal((await callWorker()).status, 200);
    const prepared = [...(await preparedOnServers()).entries()].filter(([, names]) => names.length > 0);
    assert.deepEqual(prepared, [], "server connections (pid, names) holding prepared statements");
  },
});
