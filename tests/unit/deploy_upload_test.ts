/**
 * What `supabase functions deploy` uploads is what the functions load. The CLI uploads the entrypoint
 * and every file it reaches through string-literal import specifiers that are relative (or absolute)
 * and name a file extension (PLATFORM.md §8); a module reached any other way (a template-literal
 * `import()`, an extension-less path) boots locally and fails deployed with "Module not found". Deno's
 * own module graph (the runtime's Deno, 2.1.4, reading the functions' import map and lockfile) is
 * held against that upload set.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const root = normalize(join(dirname(new URL(import.meta.url).pathname), "../.."));
const FUNCTIONS = ["api", "worker"];
const EDGE_DENO = join(root, "node_modules", "deno-edge", "deno");

const SPECIFIER =
  /(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g;
/** A dynamic import whose argument is not one string literal. */
const COMPUTED_IMPORT = /import\(\s*(?!["'][^"'`]*["']\s*\))/g;

interface Upload {
  files: Set<string>;
  problems: string[];
}

/** The files the CLI uploads for an entrypoint: a walk over string-literal relative specifiers. */
async function uploadSet(entry: string): Promise<Upload> {
  const files = new Set<string>();
  const problems: string[] = [];
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    files.add(file);
    const text = await Deno.readTextFile(join(root, file));
    for (const match of text.replace(/`[^`]*`/g, "``").matchAll(COMPUTED_IMPORT)) {
      problems.push(`${file}: an import() the CLI cannot follow (${match[0]})`);
    }
    for (const match of text.matchAll(SPECIFIER)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      if (!/^\.{0,2}\//.test(specifier)) continue;
      if (/\.[a-z]+$/i.test(specifier)) pending.push(normalize(join(dirname(file), specifier)));
      else problems.push(`${file}: "${specifier}" has no file extension`);
    }
  }
  return { files, problems };
}

/** The local modules Deno loads for the entrypoint, as the hosted runtime's Deno resolves them. */
async function denoGraph(entry: string): Promise<string[]> {
  const { code, stdout, stderr } = await new Deno.Command(EDGE_DENO, {
    args: ["info", "--json", "--config", "supabase/functions/deno.json", entry],
    cwd: root,
    env: { DENO_TLS_CA_STORE: "system", DENO_NO_UPDATE_CHECK: "1" },
  }).output();
  assert.equal(code, 0, new TextDecoder().decode(stderr));
  const graph = JSON.parse(new TextDecoder().decode(stdout)) as { modules: { specifier: string }[] };
  return graph.modules.map((module) => module.specifier).filter((specifier) => specifier.startsWith("file:"))
    .map((specifier) => relative(root, new URL(specifier).pathname));
}

for (const name of FUNCTIONS) {
  Deno.test(`${name}: every module Deno loads is one the deploy uploads, reached by string-literal imports`, async () => {
    const entry = `supabase/functions/${name}/index.ts`;
    const { files, problems } = await uploadSet(entry);
    assert.deepEqual(problems, []);
    const loaded = await denoGraph(entry);
    assert.ok(loaded.length > 10, `${loaded.length} local modules`);
    assert.deepEqual(loaded.filter((file) => !files.has(file)), [], "loaded but not uploaded");
    for (const file of files) {
      assert.match(file, /^(shared|supabase\/functions)\//, `${file} is the function's own`);
    }
  });
}

Deno.test("the functions' lockfile is one the runtime's Deno (2.1.4) reads: version 4", async () => {
  const lock = JSON.parse(await Deno.readTextFile(join(root, "supabase/functions/deno.lock")));
  assert.equal(lock.version, "4");
});

Deno.test("the upload walk sees what the CLI misses (the check is not vacuous)", async () => {
  await Deno.mkdir(join(root, ".stack-tests"), { recursive: true });
  const dir = await Deno.makeTempDir({ dir: join(root, ".stack-tests") });
  try {
    await Deno.writeTextFile(
      join(dir, "index.ts"),
      'const name = "x";\nawait import(`./${name}.ts`);\nimport "./y";\n',
    );
    const { problems } = await uploadSet(relative(root, join(dir, "index.ts")));
    assert.equal(problems.length, 2, problems.join("\n"));
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
