/**
 * Jobs as the API serves them: list, create (image generation, validated against the provider's
 * limits, with the provider chosen now so that a job nobody can run is a 400, not a failure later),
 * read, cancel or delete, retry. Reads and creates take the caller's transaction (RLS applies; the
 * `user_id` filters are a second guard). Cancel and retry go through the queue functions, which only
 * service_role may run and which take the user id as their own guard.
 * @module
 */
import type postgres from "postgres";
import type { Reader, Tx } from "../db/client.ts";
import { type KeysetSpec, type Page, type PageRequest, readPage } from "../db/paging.ts";
import { ApiError, badRequest, notFound } from "../errors/api-error.ts";
import { passRule } from "../limits/service.ts";
import { imageRequestProblems } from "../llm/image-limits.ts";
import {
  IMAGE_PROVIDER_IDS,
  IMAGE_PROVIDERS,
  type ImageProviderId,
  isImageProvider,
} from "../llm/image-providers.ts";
import type { ImageJobCreate, Job } from "./schemas.ts";

export { estimateCost } from "./cost.ts";
export { imageModels } from "./models.ts";
export { removeJobImages, withImageUrls } from "./urls.ts";

const JOBS: KeysetSpec = { table: "public.jobs", sortColumn: "created_at", listOrder: "desc" };

const jobColumns = (tx: Tx) =>
  tx`id, user_id, job_type, status, input_data, output_data, error_log, metadata, created_at, updated_at`;

const jobNotFound = () => notFound("Job not found.");

function validationError(field: string, msg: string): ApiError {
  return new ApiError(422, "validation_error", [{
    loc: ["body", "input_data", field],
    msg,
    type: "value_error",
  }]);
}

/** The caller's jobs, newest first. */
export function listJobs(read: Reader, userId: string, request: PageRequest): Promise<Page<Job>> {
  return readPage(read, request, JOBS, (tx, page) =>
    tx<Job[]>`
      select ${jobColumns(tx)} from public.jobs
      where user_id = ${userId} ${page.condition}
      order by ${page.order} limit ${page.fetch}`);
}

export async function getJob(tx: Tx, userId: string, jobId: string): Promise<Job> {
  const [job] = await tx<Job[]>`select ${
    jobColumns(tx)
  } from public.jobs where id = ${jobId} and user_id = ${userId}`;
  if (!job) throw jobNotFound();
  return job;
}

interface UsableProvider {
  provider: ImageProviderId;
}

/** The provider the job will run on: the one asked for, else the first usable in preference order. */
async function chooseProvider(
  tx: Tx,
  userId: string,
  requested: string | undefined,
): Promise<ImageProviderId> {
  if (requested !== undefined && !isImageProvider(requested)) {
    throw badRequest(
      `"${requested}" cannot run image jobs: use one of ${IMAGE_PROVIDER_IDS.join(", ")}.`,
      "provider_not_image_capable",
    );
  }
  const usable = await tx<UsableProvider[]>`
    select provider from public.providers
    where user_id = ${userId} and provider in ${tx(requested ? [requested] : [...IMAGE_PROVIDER_IDS])}
      and is_active and has_api_key`;
  const names = new Set(usable.map((row) => row.provider));
  const chosen = IMAGE_PROVIDER_IDS.find((provider) => names.has(provider));
  if (chosen) return chosen;
  if (requested) {
    throw badRequest(
      `Your ${requested} provider is not active or has no API key: activate it first.`,
      "provider_unavailable",
    );
  }
  throw badRequest(
    `No provider can run image jobs: activate ${IMAGE_PROVIDER_IDS.join(", ")} with an API key first.`,
    "no_image_provider",
  );
}

/**
 * Queues an image generation job; the insert trigger wakes the worker. Another insert trigger holds
 * the caller to the `image_jobs` limit (a direct Data API insert too), with the API's configured
 * rule handed to it in the provider read's round trip: over the limit, a 429 and no job.
 */
export async function createImageJob(tx: Tx, userId: string, request: ImageJobCreate) {
  if (request.job_type !== "image_generation") {
    throw badRequest(
      `Unsupported job_type "${request.job_type}": only image_generation jobs can be created.`,
      "unsupported_job_type",
    );
  }
  const [provider] = await Promise.all([
    chooseProvider(tx, userId, request.input_data.provider),
    passRule(tx, "image_jobs"),
  ]);
  const model = request.input_data.model ?? IMAGE_PROVIDERS[provider].defaultModel;
  if (!model) throw validationError("model", `Name the model: ${provider} has no default image model.`);
  const input = { ...request.input_data, provider, model };
  const [problem] = imageRequestProblems(provider, input);
  if (problem) throw validationError(problem.field, problem.message);
  const [row] = await tx<{ id: string }[]>`
    insert into public.jobs (user_id, job_type, input_data, metadata)
    values (${userId}, 'image_generation', ${tx.json(input)}, ${
    tx.json(request.metadata as postgres.JSONValue)
  })
    returning id`;
  return { job_id: row.id, status: "pending" as const };
}

/** Cancels the caller's pending or processing job (it ends failed, "Cancelled."). Service-role transaction. */
export async function cancelJob(tx: Tx, userId: string, jobId: string): Promise<boolean> {
  const [row] = await tx<
    { cancelled: boolean }[]
  >`select private.cancel_job(${jobId}, ${userId}) as cancelled`;
  return row.cancelled;
}

/** Deletes the caller's finished job; returns its output so its images can be removed. */
export async function deleteJob(tx: Tx, userId: string, jobId: string): Promise<Job["output_data"]> {
  const [row] = await tx<Pick<Job, "output_data">[]>`
    delete from public.jobs where id = ${jobId} and user_id = ${userId} returning output_data`;
  if (!row) throw jobNotFound();
  return row.output_data;
}

/** Puts the caller's failed job back in the queue (and wakes the worker). Service-role transaction. */
export async function retryJob(tx: Tx, userId: string, jobId: string) {
  const [job] = await tx<{ status: string }[]>`
    select status from public.jobs where id = ${jobId} and user_id = ${userId} for update`;
  if (!job) throw jobNotFound();
  if (job.status !== "failed") {
    throw badRequest(`Only a failed job can be retried; this one is ${job.status}.`, "job_not_failed");
  }
  await tx`select private.retry_job(${jobId}, ${userId})`;
  return { job_id: jobId, status: "pending" as const };
}
