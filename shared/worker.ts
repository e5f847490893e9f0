/**
 * The `worker` function's application, where the job types meet the queue engine. Only callers holding the service credential get in (pg_net
 * wake-ups from the insert trigger and pg_cron send it). `POST /worker` drains the queue within the
 * configured budget and answers the summary; a `{"reason": "storage_sweep"}` call (hourly, from
 * pg_cron) first deletes the images of jobs that no longer exist, expires attachments never sent within 24 hours
 * and deletes the attachment files whose row is gone. The destination guard's policy
 * comes from the configuration (`ALLOW_PRIVATE_DESTINATIONS`).
 * @module
 */
import { Hono } from "hono";
import { hasServiceCredential } from "./auth/service-key.ts";
import { config } from "./config/env.ts";
import { runImageJob } from "./images/job.ts";
import { removeImages } from "./images/store.ts";
import { sweepOrphanedImages } from "./images/sweep.ts";
import { sweepAttachments } from "./attachments/sweep.ts";
import { setDestinationPolicy } from "./llm/destinations.ts";
import { workerConfig } from "./queue/config.ts";
import { type DrainOptions, drainQueue, type DrainSummary } from "./queue/drain.ts";
import type { JobHandler } from "./queue/handler.ts";
import { keepAlive } from "./runtime/background.ts";

/** Every job type this worker runs, and its handler (the engine knows none of them). */
export const JOB_HANDLERS: Record<string, JobHandler> = { image_generation: runImageJob };

/** Drains the queue with every job type this worker runs. */
export function drainJobs(options: Pick<DrainOptions, "config" | "db">): Promise<DrainSummary> {
  return drainQueue({ ...options, handlers: JOB_HANDLERS, discardFiles: removeImages });
}

interface WorkerRun extends DrainSummary {
  files_removed?: number;
}

async function reasonOf(request: Request): Promise<string | undefined> {
  const body = await request.json().catch(() => undefined) as { reason?: unknown } | undefined;
  return typeof body?.reason === "string" ? body.reason : undefined;
}

async function work(reason: string | undefined): Promise<WorkerRun> {
  const files_removed = reason === "storage_sweep"
    ? await sweepOrphanedImages() + await sweepAttachments()
    : undefined;
  const summary = await drainJobs({ config: workerConfig() });
  console.log(
    JSON.stringify({ level: "info", msg: "worker run", reason: reason ?? null, ...summary, files_removed }),
  );
  return files_removed === undefined ? summary : { ...summary, files_removed };
}

/** The API's error envelope, without the request machinery the worker does not need. */
const workerError = (code: string, sentence: string) => ({ detail: sentence, message: sentence, code });

export function createWorkerApp(): Hono {
  // Read the configuration now: a missing variable fails the boot with its name.
  setDestinationPolicy({ allowPrivate: config().allowPrivateDestinations });
  workerConfig();
  const app = new Hono().basePath("/worker");
  app.use("*", async (c, next) => {
    if (!hasServiceCredential(c.req.raw.headers)) {
      return c.json(workerError("unauthorized", "The worker accepts only the service credential."), 401);
    }
    await next();
  });
  // keepAlive: pg_net gives up after 5 s, the drain goes on to the end of its budget.
  app.post("/", async (c) => c.json(await keepAlive(work(await reasonOf(c.req.raw)))));
  app.onError((error, c) => {
    console.error(JSON.stringify({ level: "error", msg: "worker run failed", error: String(error) }));
    return c.json(workerError("worker_error", "The worker run failed; see the function's logs."), 500);
  });
  return app;
}
