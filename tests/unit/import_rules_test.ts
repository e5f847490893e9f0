/**
 * The structure stays as built: which folders may import which (shared/README.md says why). Imports
 * are read as text from every TypeScript file of the repository: static, `export ... from` and
 * string-literal dynamic imports.
 */
import assert from "node:assert/strict";
import { dirname, join, normalize, relative } from "node:path";

const root = normalize(join(dirname(new URL(import.meta.url).pathname), "../.."));

/** The folders of shared/ that sit under the domains, and the only folders each may import. */
const LOWER_LAYERS: Record<string, string[]> = {
  config: [],
  errors: [],
  runtime: [],
  files: [],
  llm: ["files", "runtime"],
  db: ["config", "errors"],
  storage: ["config", "runtime"],
  queue: ["db", "runtime"],
  auth: ["config", "errors"],
  limits: ["config", "db", "errors"],
  http: ["auth", "config", "db", "errors", "files", "limits", "runtime"],
};
/** Layers that must not know the HTTP framework (so services and the worker engine stay plain). */
const WITHOUT_HONO = ["config", "errors", "runtime", "files", "llm", "db", "storage", "queue", "limits"];
/** The entries: each function's app is composed here, so nothing under shared/ imports them. */
const ENTRIES = ["api", "worker"];

interface Import {
  file: string;
  specifier: string;
  /** The repository path it names, for relative specifiers. */
  target?: string;
}

const IMPORT =
  /(?:^|\n)\s*(?:import|export)\b[^"';]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|(?:^|\n)\s*import\s*["']([^"']+)["']/g;

async function* typescriptFiles(dir: string): AsyncGenerator<string> {
  for await (const entry of Deno.readDir(join(root, dir))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory && !entry.name.startsWith(".") && entry.name !== "node_modules") {
      yield* typescriptFiles(path);
    } else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

async function importsOf(dir: string): Promise<Import[]> {
  const found: Import[] = [];
  for await (const file of typescriptFiles(dir)) {
    const text = await Deno.readTextFile(join(root, file));
    for (const match of text.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2] ?? match[3];
      const target = specifier.startsWith(".") ? normalize(join(dirname(file), specifier)) : undefined;
      found.push({ file, specifier, target });
    }
  }
  return found;
}

/** shared/<folder>/... → folder; shared/api.ts → api. */
const folderOf = (path: string) => path.split("/")[1].replace(/\.ts$/, "");

const shared = await importsOf("shared");
const crossings = shared.filter((i) =>
  i.target?.startsWith("shared/") && folderOf(i.target) !== folderOf(i.file)
);

Deno.test("imports are read (the rules below are not vacuous)", () => {
  assert.ok(shared.length > 200, `${shared.length} imports under shared/`);
  assert.ok(crossings.length > 100, `${crossings.length} imports between folders of shared/`);
});

Deno.test("the lower layers import only the layers under them", () => {
  const broken = crossings.filter((i) => {
    const allowed = LOWER_LAYERS[folderOf(i.file)];
    return allowed !== undefined && !allowed.includes(folderOf(i.target!));
  }).map((i) => `${i.file} -> ${i.target}`);
  assert.deepEqual(broken, []);
});

Deno.test("the database layer, the queue engine and the provider clients know no HTTP framework", () => {
  const broken = shared.filter((i) =>
    WITHOUT_HONO.includes(folderOf(i.file)) && /^(hono|@hono\/|npm:hono|npm:@hono)/.test(i.specifier)
  ).map((i) => `${i.file} -> ${i.specifier}`);
  assert.deepEqual(broken, []);
});

Deno.test("the folders of shared/ import each other without a cycle, and none imports an entry", () => {
  const edges = new Map<string, Set<string>>();
  for (const i of crossings) {
    const from = folderOf(i.file);
    assert.ok(!ENTRIES.includes(folderOf(i.target!)), `${i.file} imports the entry ${i.target}`);
    edges.set(from, (edges.get(from) ?? new Set()).add(folderOf(i.target!)));
  }
  const cycles: string[] = [];
  const visit = (folder: string, path: string[]) => {
    for (const next of edges.get(folder) ?? []) {
      if (path.includes(next)) cycles.push([...path.slice(path.indexOf(next)), next].join(" -> "));
      else visit(next, [...path, next]);
    }
  };
  for (const folder of edges.keys()) visit(folder, [folder]);
  assert.deepEqual([...new Set(cycles)], []);
});

Deno.test("stack/ and shared/ never import each other; product code never imports tests, benches or proofs", async () => {
  const functions = await importsOf("supabase/functions");
  const stack = await importsOf("stack");
  const product = [...shared, ...functions];
  const broken = [
    ...product.filter((i) => /^(stack|tests|bench|proof)\//.test(i.target ?? "")),
    ...stack.filter((i) => i.target?.startsWith("shared/")),
  ].map((i) => `${i.file} -> ${i.target}`);
  assert.deepEqual(broken, []);
  assert.ok(stack.length > 50 && functions.length >= 2, "imports of stack/ and the functions are read");
});

Deno.test("the functions' entries import only their app", async () => {
  const functions = await importsOf("supabase/functions");
  for (const i of functions) {
    assert.match(relative("supabase/functions", i.file), /^[a-z-]+\/index\.ts$/);
    assert.match(i.target ?? "", /^shared\/(api|worker)\.ts$/, `${i.file} -> ${i.specifier}`);
  }
});

Deno.test("the functions' import map holds what the functions import, at the versions the tools use", async () => {
  const functionsMap =
    JSON.parse(await Deno.readTextFile(join(root, "supabase/functions/deno.json"))).imports;
  const rootMap = JSON.parse(await Deno.readTextFile(join(root, "deno.json"))).imports;
  const product = [...shared, ...await importsOf("supabase/functions")];
  const packages = new Set(
    product.filter((i) => !i.target && !i.specifier.startsWith("node:"))
      // A package's subpath (hono/cors, jose/jwt/verify) is mapped by its "<package>/" entry.
      .map((i) => /^(hono|jose)\//.test(i.specifier) ? i.specifier.split("/")[0] + "/" : i.specifier),
  );
  if (packages.has("hono/")) packages.add("hono");
  assert.deepEqual(
    Object.keys(functionsMap).sort(),
    [...packages].sort(),
    "no bench-only package is deployed",
  );
  for (const [name, target] of Object.entries(functionsMap)) assert.equal(target, rootMap[name], name);
});
