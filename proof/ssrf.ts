/**
 * No server-side request forgery: an api and a worker function started as the local stack starts
 * them, but with `ALLOW_PRIVATE_DESTINATIONS=false` as on a hosted project, and with an HTTP proxy
 * of the proof's as their network (proof/support/ssrf/network.ts: a public image provider, the
 * stack passed through, everything else recorded). Over a hundred URL forms (every spelling of
 * loopback, the metadata address, the private network, IPv6, local names, tricks, other schemes,
 * the stack's own services, redirects: proof/support/ssrf/forms.ts) go through activation, the
 * catalogue (stored as a base URL) and the worker's download (answered by the provider as an image
 * URL). Canaries on 127.0.0.1, 127.0.0.2 and ::1 count what reaches them. Goal: 0 reached, 0 egress
 * past the guard, 0 5xx, every form refused on every surface without echoing it; the controls (a
 * public provider activated, listed and its image downloaded) must pass. Exits 1 otherwise.
 *
 * Usage (a running local stack, SUPABASE_* set): deno run -A proof/ssrf.ts
 * @module
 */
import { pauseWorkerWakeUps } from "../bench/support/pocketllm-queue.ts";
import { signUpUser, type TestUser } from "../tests/helpers/api.ts";
import { db, env } from "../tests/helpers/env.ts";
import { giveImageProvider, jobRow } from "../tests/helpers/jobs.ts";
import { startOwnFunctions } from "../tests/helpers/own_functions.ts";
import { type Check, markdownTable, printChecks } from "./support/faults/table.ts";
import { type Form, type Ports, PUBLIC_ORIGIN, urlForms } from "./support/ssrf/forms.ts";
import { type Canaries, startCanaries, startNetwork } from "./support/ssrf/network.ts";
import {
  activation,
  apiCall,
  catalogue,
  createJobs,
  drain,
  jobOutcome,
  type Outcome,
  type Surface,
  type Target,
} from "./support/ssrf/surfaces.ts";

const CONTROL = "ssrf-control";
const PUBLIC_IMAGE = `${PUBLIC_ORIGIN}/images/ok.png`;

/** The control: connecting to each canary directly is counted (then the counts start again). */
async function canariesCount(canaries: Canaries): Promise<boolean> {
  for (const hostname of Object.keys(canaries.hits)) {
    (await Deno.connect({ hostname, port: canaries.port })).close();
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  const counted = Object.values(canaries.hits).every((hits) => hits === 1);
  for (const host of Object.keys(canaries.hits)) canaries.hits[host] = 0;
  return counted;
}

/** Runs every form on every surface; answers the outcomes and the controls' results. */
async function attack(target: Target, forms: Form[], users: { owner: TestUser; artist: TestUser }) {
  const controls: Check[] = [];
  const control = (check: string, ok: boolean, detail: string) => controls.push({ check, ok, detail });
  const activated = await apiCall(target, users.owner, "POST", "/v1/providers/activate", {
    provider: "openai_compatible",
    api_key: "sk-ssrf-proof-0123456789",
    base_url: `${PUBLIC_ORIGIN}/v1`,
  });
  control("control: a public provider activates", activated.status === 200, String(activated.status));
  const listed = await apiCall(target, users.owner, "GET", "/v1/providers/openai_compatible/models");
  control("control: its catalogue lists models", listed.body.models?.length === 3, String(listed.status));

  const outcomes: Outcome[] = [];
  for (const form of forms) outcomes.push(await activation(target, users.owner, form));
  for (const form of forms) outcomes.push(await catalogue(target, users.owner, form));
  await target.sql`
    update public.providers set base_url = 'http://169.254.169.254/v1'
    where user_id = ${users.owner.id} and provider = 'openai_compatible'`;
  const browsed = await apiCall(target, users.owner, "GET", "/v1/models?refresh=true");
  const codes = (browsed.body.provider_errors ?? []).map((error: { code: string }) => error.code).join(",");
  control(
    "the whole catalogue names a refused base URL",
    codes === "url_not_allowed",
    `${browsed.status} ${codes}`,
  );

  await giveImageProvider(target.sql, users.artist.id, `${PUBLIC_ORIGIN}/v1`);
  const prompts = [CONTROL, ...forms.map((_, index) => `ssrf-form-${index}`)];
  const jobIds = await createJobs(target, users.artist, prompts);
  const workerStatuses = await drain(target, jobIds);
  const controlJob = await jobRow(target.sql, jobIds[0]);
  control("control: a public image URL is downloaded", controlJob.status === "completed", controlJob.status);
  for (const [index, form] of forms.entries()) {
    outcomes.push(await jobOutcome(target, form, jobIds[index + 1]));
  }
  const statuses = [activated.status, listed.status, browsed.status, ...workerStatuses];
  return { outcomes, controls, statuses, workerRuns: workerStatuses.length };
}

/** Whether a refusal message repeats the form or one of the ports it names. */
function echoes(outcome: Outcome, ports: Ports): boolean {
  const { message, form } = outcome;
  return message.includes(form.url) || Object.values(ports).some((port) => message.includes(`:${port}`));
}

const is5xx = (status: number | string) => typeof status === "number" && status >= 500;

function surfaceRows(outcomes: Outcome[], ports: Ports) {
  return (["activation", "catalogue", "worker"] as Surface[]).map((surface) => {
    const mine = outcomes.filter((outcome) => outcome.surface === surface);
    const tried = mine.filter((outcome) => !outcome.skipped);
    const how = new Map<string, number>();
    for (const outcome of tried) {
      if (outcome.refusedAs) how.set(outcome.refusedAs, (how.get(outcome.refusedAs) ?? 0) + 1);
    }
    return [
      surface,
      mine.length,
      tried.filter((outcome) => outcome.refusedAs).length,
      [...how].map(([name, n]) => `${name} ${n}`).join(", "),
      mine.length - tried.length,
      tried.filter((outcome) => !outcome.refusedAs).length,
      tried.filter((outcome) => echoes(outcome, ports)).length,
      tried.filter((outcome) => is5xx(outcome.status)).length,
    ];
  });
}

function groupRows(forms: Form[], outcomes: Outcome[]) {
  const groups = [...new Set(forms.map((form) => form.group))];
  const refused = (group: string, surface: Surface) => {
    const mine = outcomes.filter((o) => o.form.group === group && o.surface === surface && !o.skipped);
    return `${mine.filter((o) => o.refusedAs).length}/${mine.length}`;
  };
  return groups.map((group) => [
    group,
    forms.filter((form) => form.group === group).length,
    refused(group, "activation"),
    refused(group, "catalogue"),
    refused(group, "worker"),
  ]);
}

function report(
  forms: Form[],
  run: Awaited<ReturnType<typeof attack>>,
  canaries: Canaries,
  egress: string[],
  ports: Ports,
) {
  const { outcomes } = run;
  console.log(`\n${forms.length} URL forms × 3 surfaces; worker runs: ${run.workerRuns}\n`);
  console.log(markdownTable(
    ["surface", "forms", "refused", "how", "skipped", "not refused", "echoed", "5xx"],
    surfaceRows(outcomes, ports),
  ));
  console.log(
    "\n" + markdownTable(["group", "forms", "activation", "catalogue", "worker"], groupRows(forms, outcomes)),
  );
  const reached = Object.values(canaries.hits).reduce((sum, hits) => sum + hits, 0);
  console.log(
    "\n" + markdownTable(
      ["canary", "connections"],
      [...Object.entries(canaries.hits).map(([host, hits]) => [`${host} port ${canaries.port}`, hits]), [
        "egress past the guard (proxy)",
        egress.length,
      ]],
    ),
  );
  const failed = outcomes.filter((outcome) => !outcome.skipped && !outcome.refusedAs);
  const serverErrors = outcomes.filter((o) => is5xx(o.status)).length + run.statuses.filter(is5xx).length;
  const sample = (list: Outcome[]) =>
    list.slice(0, 3).map((o) => `${o.surface} ${o.form.url}: ${o.status} ${o.message}`);
  const checks: Check[] = [
    ...run.controls,
    { check: "canary connections", ok: reached === 0, detail: String(reached) },
    { check: "egress past the guard", ok: egress.length === 0, detail: egress.slice(0, 3).join("; ") || "0" },
    { check: "answers 5xx", ok: serverErrors === 0, detail: String(serverErrors) },
    { check: "forms not refused", ok: failed.length === 0, detail: sample(failed).join("; ") || "0" },
    {
      check: "refusals echoing the URL or its port",
      ok: !outcomes.some((o) => echoes(o, ports)),
      detail: sample(outcomes.filter((o) => echoes(o, ports))).join("; ") || "0",
    },
  ];
  console.log(`\nreached: ${reached}, 5xx: ${serverErrors}`);
  return printChecks("checks", checks);
}

async function main(): Promise<boolean> {
  const started = performance.now();
  const sql = db();
  const canaries = startCanaries();
  const ports: Ports = {
    canary: canaries.port,
    gateway: Number(new URL(env.url).port),
    database: Number(new URL(env.dbUrl).port),
  };
  const forms = urlForms(ports);
  const imageUrlFor = (prompt: string) =>
    forms[Number(prompt.replace("ssrf-form-", ""))]?.url ?? PUBLIC_IMAGE;
  const network = startNetwork(new URL(env.url).origin, imageUrlFor);
  // The stack's own worker (private destinations allowed) must not take the proof's jobs.
  const resumeWakeUps = await pauseWorkerWakeUps(sql);
  try {
    if (!await canariesCount(canaries)) throw new Error("the canaries do not count connections");
    const dotenv =
      `ALLOW_PRIVATE_DESTINATIONS=false\nHTTP_PROXY=${network.proxyUrl}\nHTTPS_PROXY=${network.proxyUrl}\n`;
    await using functions = await startOwnFunctions(["api", "worker"], dotenv);
    const target = { api: functions.url("api"), worker: functions.url("worker"), sql };
    const users = { owner: await signUpUser(), artist: await signUpUser() };
    const run = await attack(target, forms, users);
    const ok = report(forms, run, canaries, network.egress, ports);
    console.log(`\n${((performance.now() - started) / 1000).toFixed(1)} s`);
    return ok;
  } finally {
    await resumeWakeUps();
    canaries.close();
    await network.close();
    await sql.end();
  }
}

if (import.meta.main) Deno.exit(await main() ? 0 : 1);
