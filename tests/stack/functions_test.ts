import assert from "node:assert/strict";
import { join } from "node:path";
import { loadConfig, type StackConfig } from "../../stack/config.ts";
import { FunctionProcesses } from "../../stack/functions/manager.ts";
import { waitFor } from "../../stack/process.ts";

/** A throwaway project with one function, `hello`, whose source the test rewrites. */
async function tempProject(): Promise<{ config: StackConfig; source: string }> {
  // Outside /tmp, which the runtime lets functions read and write: the repository's ignored state
  // folder, unless the checkout itself lies under /tmp (then /var/tmp).
  const repo = loadConfig().root;
  const parent = repo.startsWith("/tmp/") ? "/var/tmp" : join(repo, ".stack-tests");
  await Deno.mkdir(parent, { recursive: true });
  const root = await Deno.makeTempDir({ dir: parent, prefix: "functions-test-" });
  await Deno.mkdir(join(root, "supabase", "functions", "hello"), { recursive: true });
  await Deno.mkdir(join(root, "shared"));
  await Deno.writeTextFile(join(root, "deno.json"), "{}");
  await Deno.writeTextFile(
    join(root, "supabase", "functions", ".env"),
    "GREETING=hi\nSUPABASE_URL=overridden\nDB_POOLER_URL=postgres://another.project:6543/postgres\n",
  );
  await Deno.copyFile(
    join(loadConfig().root, "supabase", "config.toml"),
    join(root, "supabase", "config.toml"),
  );
  const source = join(root, "supabase", "functions", "hello", "index.ts");
  return {
    config: {
      ...loadConfig(root),
      functions: [{
        name: "hello",
        verifyJwt: false,
        entrypoint: source,
        importMap: join(root, "deno.json"),
      }],
    },
    source,
  };
}

const helloSource = (version: string) => `
Deno.serve(async (request) => {
  if (request.url.endsWith("/crash")) setTimeout(() => Deno.exit(1), 10);
  const waited = await EdgeRuntime.waitUntil(Promise.resolve("background work"));
  return Response.json({
    version: "${version}",
    path: new URL(request.url).pathname,
    greeting: Deno.env.get("GREETING"),
    supabaseUrl: Deno.env.get("SUPABASE_URL"),
    jwks: JSON.parse(Deno.env.get("SUPABASE_JWKS") ?? "{}").keys?.length,
    secretKeys: Object.keys(JSON.parse(Deno.env.get("SUPABASE_SECRET_KEYS") ?? "{}")),
    poolerUrl: Deno.env.get("DB_POOLER_URL"),
    applicationName: Deno.env.get("PGAPPNAME"),
    waited,
  });
});
`;

async function ask(functions: FunctionProcesses) {
  const running = functions.get("hello")!;
  const response = await fetch(`http://127.0.0.1:${running.port}/hello/x`);
  return await response.json();
}

Deno.test("a function runs with Supabase's environment and EdgeRuntime, and reloads when its code changes", async () => {
  const { config, source } = await tempProject();
  await Deno.writeTextFile(source, helloSource("one"));
  const functions = new FunctionProcesses(
    config,
    (_name, stream) => void stream.pipeTo(new WritableStream()),
  );
  functions.start();
  try {
    assert.ok(await waitFor(() => ask(functions).then(() => true)));
    const first = await ask(functions);
    assert.deepEqual(first, {
      version: "one",
      path: "/hello/x",
      greeting: "hi",
      supabaseUrl: config.apiUrl,
      jwks: 1,
      secretKeys: ["default"],
      // The stack's own pooler, whatever .env says; connections named after the function.
      poolerUrl: config.pooler.url,
      applicationName: "hello",
      waited: "background work",
    });

    await Deno.writeTextFile(source, helloSource("two"));
    const reloaded = await waitFor(() => ask(functions).then((body) => body.version === "two"), {
      timeoutMs: 20_000,
    });
    assert.ok(reloaded, "the new code is served after the file changed");

    // A crashed function is started again for the next request.
    const crashed = functions.get("hello")!;
    await fetch(`http://127.0.0.1:${crashed.port}/hello/crash`).then((r) => r.body?.cancel());
    await crashed.process.status;
    const recovered = await waitFor(() => ask(functions).then((body) => body.version === "two"), {
      timeoutMs: 20_000,
    });
    assert.ok(recovered, "the function answers again after its process exited");
    assert.notEqual(functions.get("hello")!.process.pid, crashed.process.pid);
  } finally {
    await functions.stop();
    await Deno.remove(config.root, { recursive: true });
  }
});

/** What a function may do on the hosted runtime, tried from inside one. */
const probeSource = (root: string) => `
const attempt = async (work) => {
  try {
    await work();
    return "allowed";
  } catch (error) {
    return error instanceof Deno.errors.PermissionDenied || error instanceof Deno.errors.NotCapable
      ? "denied"
      : "failed: " + error.name;
  }
};
Deno.serve(async () => Response.json({
  writeProject: await attempt(() => Deno.writeTextFile(${JSON.stringify(join(root, "written.txt"))}, "x")),
  writeTmp: await attempt(() => Deno.writeTextFile("/tmp/edge-runtime-probe.txt", "x")),
  readOwnFiles: await attempt(() => Deno.readTextFile(${JSON.stringify(join(root, "shared", "own.txt"))})),
  readOtherFiles: await attempt(() => Deno.readTextFile(${JSON.stringify(join(root, "deno.json"))})),
  spawn: await attempt(() => new Deno.Command("true").output()),
  version: Deno.version.deno,
}));
`;

Deno.test("a function runs on the runtime's Deno with its permissions: no writes outside /tmp, no processes", async () => {
  const { config, source } = await tempProject();
  await Deno.writeTextFile(join(config.root, "shared", "own.txt"), "mine");
  await Deno.writeTextFile(source, probeSource(config.root));
  const functions = new FunctionProcesses(
    config,
    (_name, stream) => void stream.pipeTo(new WritableStream()),
  );
  functions.start({ watch: false });
  try {
    assert.ok(await waitFor(() => ask(functions).then(() => true)));
    assert.deepEqual(await ask(functions), {
      writeProject: "denied",
      writeTmp: "allowed",
      readOwnFiles: "allowed",
      readOtherFiles: "denied",
      spawn: "denied",
      version: "2.1.4",
    });
    assert.equal(await Deno.stat(join(config.root, "written.txt")).catch(() => null), null);
  } finally {
    await functions.stop();
    await Deno.remove(config.root, { recursive: true });
  }
});
