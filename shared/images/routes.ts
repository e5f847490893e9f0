/**
 * Jobs: image generation queued for the worker, read back with signed image URLs, cancelled,
 * deleted and retried; the image model list and the cost estimate.
 * @module
 */
import { z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware.ts";
import { asServiceFor, asUser, userReader, withUser } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { authErrors, body, errors, json, routeBuilder } from "../http/openapi.ts";
import { PageQuery, setNextCursor } from "../http/paging.ts";
import {
  CostEstimate,
  CostEstimateRequest,
  ImageJobCreate,
  ImageModel,
  Job,
  JobAccepted,
  JobIdParams,
} from "./schemas.ts";
import * as jobs from "./service.ts";

const route = routeBuilder("jobs");

const listJobs = route({
  method: "get",
  path: "/v1/jobs",
  summary: "The caller's jobs, newest first",
  request: { query: PageQuery },
  responses: { 200: json(z.array(Job), "The jobs"), ...authErrors },
});

const createImageJob = route({
  method: "post",
  path: "/v1/jobs/image-generation",
  summary: "Queue an image generation job",
  request: body(ImageJobCreate),
  responses: {
    200: json(JobAccepted, "The job is queued"),
    400: errors[400],
    429: errors[429],
    ...authErrors,
  },
});

const imageModels = route({
  method: "get",
  path: "/v1/jobs/image-generation/models",
  summary: "Image models from the caller's image providers (classic entries when there are none)",
  responses: { 200: json(z.array(ImageModel), "The models"), ...authErrors },
});

const estimateCost = route({
  method: "post",
  path: "/v1/jobs/image-generation/estimate-cost",
  summary: "Estimate an image's cost in credits",
  request: body(CostEstimateRequest),
  responses: { 200: json(CostEstimate, "The estimate"), ...authErrors },
});

const getJob = route({
  method: "get",
  path: "/v1/jobs/{job_id}",
  summary: "One job, with signed URLs for its images",
  request: { params: JobIdParams },
  responses: { 200: json(Job, "The job"), 404: errors[404], ...authErrors },
});

const deleteJob = route({
  method: "delete",
  path: "/v1/jobs/{job_id}",
  summary: "Cancel a pending or running job; delete a finished one (and its images)",
  request: { params: JobIdParams },
  responses: { 204: { description: "Cancelled or deleted" }, 404: errors[404], ...authErrors },
});

const retryJob = route({
  method: "post",
  path: "/v1/jobs/{job_id}/retry",
  summary: "Queue a failed job again",
  request: { params: JobIdParams },
  responses: {
    200: json(JobAccepted, "The job is queued again"),
    400: errors[400],
    404: errors[404],
    ...authErrors,
  },
});

export function jobRoutes() {
  const router = createRouter();
  router.use("/v1/jobs", requireUser());
  router.use("/v1/jobs/*", requireUser());

  router.openapi(listJobs, async (c) => {
    const claims = c.get("claims");
    const query = c.req.valid("query");
    const page = await jobs.listJobs(userReader(claims), claims.sub, query);
    setNextCursor(c, query.limit, page.next);
    return c.json(await jobs.withImageUrls(page.items), 200);
  });
  router.openapi(createImageJob, async (c) => {
    const claims = c.get("claims");
    const request = c.req.valid("json");
    return c.json(await asUser(claims, (tx) => jobs.createImageJob(tx, claims.sub, request)), 200);
  });
  // Registered before /v1/jobs/{job_id} so these paths are never read as ids.
  router.openapi(imageModels, async (c) => {
    const claims = c.get("claims");
    return c.json(await jobs.imageModels(withUser(claims), claims.sub), 200);
  });
  router.openapi(estimateCost, async (c) => {
    // No data is read, but a deleted account's token is still refused, as on every other route.
    await asUser(c.get("claims"), () => Promise.resolve());
    return c.json(jobs.estimateCost(c.req.valid("json")), 200);
  });
  router.openapi(getJob, async (c) => {
    const claims = c.get("claims");
    const { job_id } = c.req.valid("param");
    const job = await asUser(claims, (tx) => jobs.getJob(tx, claims.sub, job_id));
    const [signed] = await jobs.withImageUrls([job]);
    return c.json(signed, 200);
  });
  router.openapi(deleteJob, async (c) => {
    const claims = c.get("claims");
    const { job_id } = c.req.valid("param");
    if (await asServiceFor(claims.sub, (tx) => jobs.cancelJob(tx, claims.sub, job_id))) {
      return c.body(null, 204);
    }
    const output = await asUser(claims, (tx) => jobs.deleteJob(tx, claims.sub, job_id));
    await jobs.removeJobImages(output);
    return c.body(null, 204);
  });
  router.openapi(retryJob, async (c) => {
    const claims = c.get("claims");
    const { job_id } = c.req.valid("param");
    return c.json(await asServiceFor(claims.sub, (tx) => jobs.retryJob(tx, claims.sub, job_id)), 200);
  });
  return router;
}
