/**
 * Secrets (issue 9): the whole test suite runs against a stack of its own whose gateway records
 * every request and answer; then every answer and the stack's and Postgres's logs are searched
 * for every provider key and password the suite sent, the service-role key, the sb_secret_ key
 * and the JWT secret. Goal: 0 hits. Exits 1 on a hit, or when the suite failed.
 *
 *   deno run -A proof/secrets.ts
 * @module
 */
import type { TrafficEntry } from "../stack/traffic-recorder.ts";
import { startRecordingStack } from "./support/secrets/recording-stack.ts";
import { scan, secretsOf } from "./support/secrets/traffic-scan.ts";

const started = performance.now();
await using stack = await startRecordingStack();
console.log(`recording stack at ${stack.env.SUPABASE_URL}; running the test suite against it`);
const suite = await new Deno.Command(Deno.execPath(), {
  args: ["test", "-A", "--parallel", "tests/"],
  cwd: new URL("..", import.meta.url).pathname,
  env: { ...stack.env, NO_COLOR: "1" },
  stdout: "piped",
  stderr: "inherit",
}).output();
const report = new TextDecoder().decode(suite.stdout);
if (!suite.success) console.log(report.slice(report.indexOf(" ERRORS ")));
console.log(`suite: ${/(ok|FAILED) \| .*$/m.exec(report)?.[0] ?? `exit ${suite.code}`}`);

const entries: TrafficEntry[] = (await Deno.readTextFile(stack.trafficFile)).trim().split("\n")
  .map((line) => JSON.parse(line));
const logs = {
  "stack.log": await Deno.readTextFile(`${stack.stateDir}/logs/stack.log`),
  "postgres.log": await Deno.readTextFile(`${stack.stateDir}/logs/postgres.log`),
};
const rows = scan(secretsOf(entries, stack.env), entries, logs);

const kb = (text: string) => `${(text.length / 1e6).toFixed(1)} MB`;
console.log(
  `\n${entries.length} requests and answers recorded; stack.log ${kb(logs["stack.log"])}, ` +
    `postgres.log ${kb(logs["postgres.log"])}; ${((performance.now() - started) / 1000).toFixed(0)} s\n`,
);
console.log("| secret | values | hits in answers | hits in stack.log | hits in postgres.log |");
console.log("| --- | --- | --- | --- | --- |");
for (const row of rows) {
  console.log(
    `| ${row.kind} | ${row.values} | ${row.hitsInResponses} | ${row.hitsInLogs["stack.log"]} | ${
      row.hitsInLogs["postgres.log"]
    } |`,
  );
}
const hits = rows.reduce(
  (sum, row) => sum + row.hitsInResponses + Object.values(row.hitsInLogs).reduce((a, b) => a + b, 0),
  0,
);
console.log(`\nhits: ${hits}`);
if (hits > 0 || !suite.success) Deno.exitCode = 1;
