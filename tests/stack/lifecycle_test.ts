/**
 * The stack's own commands, on a second stack with its own state folder and ports so that the
 * stack the other tests use is left alone.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { freePort, run } from "../../stack/process.ts";

const root = new URL("../..", import.meta.url).pathname;
const cli = join(root, "stack", "cli.ts");

function stackEnv(stateDir: string, apiPort: number, dbPort: number, extra: Record<string, string> = {}) {
  return {
    ...Deno.env.toObject(),
    STACK_STATE_DIR: stateDir,
    STACK_API_PORT: String(apiPort),
    STACK_DB_PORT: String(dbPort),
    STACK_POOLER_PORT: String(freePort()),
    ...extra,
  };
}

const stack = (args: string[], env: Record<string, string>) =>
  run([Deno.execPath(), "run", "-A", cli, ...args], { check: false, env, cwd: root });

function parseEnv(text: string): Record<string, string> {
  return Object.fromEntries(
    text.trim().split("\n").map((line) => {
      const [, key, value] = /^([A-Z_]+)="(.*)"$/.exec(line) ?? [];
      return [key, value];
    }),
  );
}

async function processesInGroup(pgid: number): Promise<string[]> {
  const { stdout } = await run(["ps", "-eo", "pgid=,pid=,args="]);
  return stdout.split("\n").filter((line) => line.trim().split(/\s+/)[0] === String(pgid));
}

Deno.test("start, status -o env, health, reset to the same schema, and stop leaving nothing behind", async () => {
  const stateDir = await Deno.makeTempDir({ prefix: "stack-lifecycle-" });
  const apiPort = freePort(), dbPort = freePort(), poolerPort = freePort();
  const env = stackEnv(stateDir, apiPort, dbPort, { STACK_POOLER_PORT: String(poolerPort) });
  try {
    const started = await stack(["start"], env);
    assert.equal(started.code, 0, started.stderr + started.stdout);

    const status = await stack(["status", "-o", "env"], env);
    assert.equal(status.code, 0);
    const vars = parseEnv(status.stdout);
    assert.equal(vars.API_URL, `http://127.0.0.1:${apiPort}`);
    assert.equal(vars.FUNCTIONS_URL, `http://127.0.0.1:${apiPort}/functions/v1`);
    assert.equal(vars.DB_URL, `postgresql://postgres:postgres@127.0.0.1:${dbPort}/postgres`);
    assert.equal(vars.DB_POOLER_URL, `postgresql://postgres:postgres@127.0.0.1:${poolerPort}/postgres`);
    for (const key of ["ANON_KEY", "SERVICE_ROLE_KEY", "JWT_SECRET", "PUBLISHABLE_KEY", "SECRET_KEY"]) {
      assert.ok(vars[key], `${key} is printed`);
    }

    const health = await fetch(`${vars.FUNCTIONS_URL}/api/health`);
    assert.equal(health.status, 200);
    assert.equal((await health.json()).status, "ok");

    // A rebuild from zero (bootstrap, migrations through the CLI, seed) gives the same schema again.
    const adminUrl = vars.DB_URL.replace("postgres:postgres@", "supabase_admin:postgres@");
    // pg_dump's restrict lines carry a random key per dump.
    const schema = async () =>
      (await run(["pg_dump", "--schema-only", adminUrl])).stdout.replace(/^\\(un)?restrict .*$/gm, "");
    const before = await schema();
    assert.equal((await stack(["reset"], env)).code, 0);
    assert.equal(await schema(), before);

    const { pid } = JSON.parse(await Deno.readTextFile(join(stateDir, "stack.json")));
    assert.ok((await processesInGroup(pid)).length >= 3, "the stack and its functions run in one group");

    const stopped = await stack(["stop"], env);
    assert.equal(stopped.code, 0);
    assert.deepEqual(await processesInGroup(pid), []);
    const postgresLeft = await run(["pgrep", "-f", join(stateDir, "db")], { check: false });
    assert.equal(postgresLeft.stdout.trim(), "", "no postgres process of this stack is left");
    const poolerLeft = await run(["pgrep", "-f", join(stateDir, "pooler")], { check: false });
    assert.equal(poolerLeft.stdout.trim(), "", "no pgbouncer process of this stack is left");
    const afterStop = await stack(["status"], env);
    assert.equal(afterStop.code, 1);
    assert.match(afterStop.stderr, /not running/);
  } finally {
    await stack(["stop"], env);
    await Deno.remove(stateDir, { recursive: true });
  }
});

Deno.test("bad configuration ends with one sentence saying what to do", async (t) => {
  const stateDir = await Deno.makeTempDir({ prefix: "stack-badconfig-" });
  const blocker = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const taken = (blocker.addr as Deno.NetAddr).port;
  const cases: [string, Record<string, string>, RegExp][] = [
    ["API port taken", stackEnv(stateDir, taken, freePort()), /^Port \d+ is taken by another program: .*\.$/],
    [
      "pooler port taken",
      stackEnv(stateDir, freePort(), freePort(), { STACK_POOLER_PORT: String(taken) }),
      /^Port \d+ is taken by another program: stop it, or set STACK_POOLER_PORT to a free port\.$/,
    ],
    [
      "PgBouncer missing",
      stackEnv(stateDir, freePort(), freePort(), { STACK_PGBOUNCER: "/nonexistent" }),
      /^PgBouncer is not installed: run `sudo apt-get install pgbouncer`\.$/,
    ],
    [
      "Postgres missing",
      stackEnv(stateDir, freePort(), freePort(), { STACK_PG_BIN: "/nonexistent" }),
      /^PostgreSQL 15 is not installed: run `sudo apt-get install postgresql-15`\.$/,
    ],
    [
      "pg_cron missing",
      stackEnv(stateDir, freePort(), freePort(), { STACK_PG_SHARE: "/nonexistent" }),
      /^pg_cron is not installed: run `sudo apt-get install postgresql-15-cron`\.$/,
    ],
  ];
  try {
    for (const [name, env, sentence] of cases) {
      await t.step(name, async () => {
        const result = await stack(["start"], env);
        assert.equal(result.code, 1);
        assert.match(result.stderr.trim(), sentence);
        await stack(["stop"], env);
      });
    }
  } finally {
    blocker.close();
    await Deno.remove(stateDir, { recursive: true });
  }
});
