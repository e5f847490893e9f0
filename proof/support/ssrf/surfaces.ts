/**
 * The three ways a URL form reaches the backend, each tried against the api and worker under test
 * (private destinations refused): activation with the form as `base_url`, the catalogue of a
 * provider whose stored base URL is the form, and an image job whose provider answers the form as
 * its image URL. Each form's outcome says whether it was refused, how, and what the client saw.
 * @module
 */
import type { TestUser } from "../../../tests/helpers/api.ts";
import { env } from "../../../tests/helpers/env.ts";
import { type Db, jobRow } from "../../../tests/helpers/jobs.ts";
import { testKey } from "../../../tests/helpers/providers.ts";
import type { Form } from "./forms.ts";

export type Surface = "activation" | "catalogue" | "worker";

export interface Outcome {
  form: Form;
  surface: Surface;
  /** HTTP status, or the job's final status. */
  status: number | string;
  /** How it was refused ("url_not_allowed", "redirect not followed", ...), else null. */
  refusedAs: string | null;
  /** The message the client got (or the job's error_log). */
  message: string;
  skipped?: string;
}

export interface Target {
  /** The api function under test: `http://127.0.0.1:<port>/api`. */
  api: string;
  /** The worker function under test: `http://127.0.0.1:<port>/worker`. */
  worker: string;
  sql: Db;
}

/** Calls the api under test as the gateway would; answers status, code and message. */
export async function apiCall(target: Target, user: TestUser, method: string, path: string, body?: unknown) {
  const response = await fetch(target.api + path, {
    method,
    headers: { authorization: `Bearer ${user.token}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text.startsWith("{") || text.startsWith("[") ? JSON.parse(text) : { message: text };
  return {
    status: response.status,
    body: json,
    code: String(json.code ?? ""),
    message: String(json.message ?? ""),
  };
}

/** How an API answer refused the form, or null when it did not. */
function refusal(status: number, code: string, message: string): string | null {
  if (status === 422 && code === "url_not_allowed") return "url_not_allowed";
  if (status === 422 && code === "validation_error") return "not an http(s) URL (validation)";
  if (status === 424 && /answered with a redirect \(30\d\), which is not followed/.test(message)) {
    return "redirect not followed";
  }
  return null;
}

export async function activation(target: Target, user: TestUser, form: Form): Promise<Outcome> {
  const { status, code, message } = await apiCall(target, user, "POST", "/v1/providers/activate", {
    provider: "openai_compatible",
    api_key: testKey(),
    base_url: form.url,
  });
  return { form, surface: "activation", status, refusedAs: refusal(status, code, message), message };
}

/** The user's openai_compatible row stored with the form as its base URL, then its catalogue read. */
export async function catalogue(target: Target, user: TestUser, form: Form): Promise<Outcome> {
  try {
    await target.sql`
      update public.providers set base_url = ${form.url}
      where user_id = ${user.id} and provider = 'openai_compatible'`;
  } catch {
    const skipped = "the database refuses to store it (base_url must be http(s))";
    return { form, surface: "catalogue", status: "-", refusedAs: null, message: "", skipped };
  }
  const path = "/v1/providers/openai_compatible/models?refresh=true";
  const { status, code, message } = await apiCall(target, user, "GET", path);
  return { form, surface: "catalogue", status, refusedAs: refusal(status, code, message), message };
}

/** Creates one image job per prompt through the api under test; answers the job ids. */
export async function createJobs(target: Target, user: TestUser, prompts: string[]): Promise<string[]> {
  const ids: string[] = [];
  for (const prompt of prompts) {
    const created = await apiCall(target, user, "POST", "/v1/jobs/image-generation", {
      input_data: { prompt },
    });
    if (created.status !== 200) {
      throw new Error(`job creation: ${created.status} ${JSON.stringify(created.body)}`);
    }
    ids.push(created.body.job_id);
  }
  return ids;
}

/**
 * Calls the worker under test until none of `jobIds` is due or running (a job retried later, which
 * a refused one never is, stays pending); answers the statuses the worker answered.
 */
export async function drain(target: Target, jobIds: string[]): Promise<number[]> {
  const statuses: number[] = [];
  for (let round = 0; round < 50; round++) {
    const [{ left }] = await target.sql<{ left: number }[]>`
      select count(*)::int as left from public.jobs
      where id in ${target.sql(jobIds)}
        and (status = 'processing' or (status = 'pending' and run_after <= now()))`;
    if (left === 0) return statuses;
    const response = await fetch(target.worker, {
      method: "POST",
      headers: { authorization: `Bearer ${env.serviceRoleKey}`, "content-type": "application/json" },
      body: JSON.stringify({ reason: "ssrf-proof" }),
    });
    statuses.push(response.status);
    await response.body?.cancel();
  }
  throw new Error("the worker left jobs due after 50 runs");
}

/** A job's end, as an outcome: refused when it failed at once saying the destination was refused. */
export async function jobOutcome(target: Target, form: Form, jobId: string): Promise<Outcome> {
  const row = await jobRow(target.sql, jobId);
  const message = row.error_log ?? "";
  const once = row.status === "failed" && row.attempts === 1;
  const refusedAs = !once
    ? null
    : /whose destination was refused \(.*only public internet addresses are called\)$/.test(message)
    ? "destination refused"
    : /answered with a redirect \(30\d\), which is not followed/.test(message)
    ? "redirect not followed"
    : null;
  return { form, surface: "worker", status: `${row.status} after ${row.attempts}`, refusedAs, message };
}
