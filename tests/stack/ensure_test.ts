/**
 * stack/bin/ensure installs the system packages as root, through sudo when it needs no password (as on
 * GitHub's Ubuntu runners), and otherwise says what to install. Run against stubs of `id`, `sudo` and
 * `apt-get` and an empty PostgreSQL layout (STACK_PG_BIN / STACK_PG_SHARE), so nothing is installed.
 */
import assert from "node:assert/strict";
import { join } from "node:path";

const ENSURE = new URL("../../stack/bin/ensure", import.meta.url).pathname;

const STUBS: Record<string, string> = {
  id: `[ "$1" = -u ] && echo "$STUB_UID" && exit 0\nexec /usr/bin/id "$@"`,
  sudo: `if [ "$*" = "-n true" ]; then exit "$STUB_SUDO_STATUS"; fi\n` +
    `echo "sudo $*" >> "$STUB_LOG"\n[ "$1" = -n ] && shift\nexec "$@"`,
  "apt-get": `echo "apt-get $* (DEBIAN_FRONTEND=\${DEBIAN_FRONTEND:-})" >> "$STUB_LOG"\n` +
    `[ "$1" = install ] && exit "$STUB_APT_STATUS"\nexit 0`,
};

interface Run {
  code: number;
  stderr: string;
  log: string[];
}

async function ensure(env: { uid: number; sudoStatus?: number; aptStatus?: number }): Promise<Run> {
  const dir = await Deno.makeTempDir({ prefix: "ensure-test-" });
  try {
    await Deno.mkdir(join(dir, "bin"));
    for (const [name, body] of Object.entries(STUBS)) {
      await Deno.writeTextFile(join(dir, "bin", name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    }
    const log = join(dir, "log");
    await Deno.writeTextFile(log, "");
    const { code, stderr } = await new Deno.Command("bash", {
      args: [ENSURE],
      clearEnv: true,
      env: {
        PATH: `${join(dir, "bin")}:${Deno.env.get("PATH")}`,
        STACK_PG_BIN: join(dir, "none"),
        STACK_PG_SHARE: join(dir, "none"),
        STUB_UID: String(env.uid),
        STUB_SUDO_STATUS: String(env.sudoStatus ?? 0),
        STUB_APT_STATUS: String(env.aptStatus ?? 0),
        STUB_LOG: log,
      },
      stdout: "null",
      stderr: "piped",
    }).output();
    const lines = (await Deno.readTextFile(log)).split("\n").filter(Boolean);
    return { code, stderr: new TextDecoder().decode(stderr), log: lines };
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

const INSTALL = "install -y -qq postgresql-15 postgresql-15-cron";

Deno.test("not root, with passwordless sudo (GitHub's runners): installs through sudo", async () => {
  const run = await ensure({ uid: 1001 });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.log, [
    "sudo -n apt-get update -qq",
    "apt-get update -qq (DEBIAN_FRONTEND=)",
    `sudo -n env DEBIAN_FRONTEND=noninteractive apt-get ${INSTALL}`,
    `apt-get ${INSTALL} (DEBIAN_FRONTEND=noninteractive)`,
  ]);
  assert.match(run.stderr, /installing postgresql-15 postgresql-15-cron \(with sudo\)/);
});

Deno.test("as root: installs with apt-get, no sudo", async () => {
  const run = await ensure({ uid: 0 });
  assert.equal(run.code, 0, run.stderr);
  assert.deepEqual(run.log, [
    "apt-get update -qq (DEBIAN_FRONTEND=)",
    `apt-get ${INSTALL} (DEBIAN_FRONTEND=noninteractive)`,
  ]);
});

Deno.test("not root, sudo asks for a password: says what to install, installs nothing", async () => {
  const run = await ensure({ uid: 1001, sudoStatus: 1 });
  assert.equal(run.code, 1);
  assert.deepEqual(run.log, []);
  assert.match(run.stderr, /run `sudo apt-get install postgresql-15 postgresql-15-cron`/);
});

Deno.test("apt-get cannot install (Ubuntu without PostgreSQL's repository): points at it", async () => {
  const run = await ensure({ uid: 1001, aptStatus: 100 });
  assert.equal(run.code, 1);
  assert.match(run.stderr, /apt\.postgresql\.org\.sh/);
});
