import { z } from "@hono/zod-openapi";
import { MAX_IMAGE_SIDE } from "../llm/image-limits.ts";

const Timestamp = z.iso.datetime({ offset: true }).or(z.date()).openapi({
  type: "string",
  format: "date-time",
});
const JsonObject = z.record(z.string(), z.unknown());

export const JobStatus = z.enum(["pending", "processing", "completed", "failed"]);

export const Job = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  job_type: z.string(),
  status: JobStatus,
  input_data: JsonObject,
  output_data: JsonObject.nullable().openapi({
    description:
      "For image jobs: {images: [{storage_path, url, url_expires_at, content_type, size_bytes}], " +
      "provider, model, ...}; `url` is a signed download URL made when the job is read",
  }),
  error_log: z.string().nullable(),
  metadata: JsonObject,
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi("Job");

export const ImageGenerationInput = z.object({
  prompt: z.string().trim().min(1).max(32_000),
  provider: z.string().trim().min(1).max(40).optional().openapi({
    description: "Which of your providers runs the job (imagerouter, openai or openai_compatible); " +
      "default: the first active one in that order",
  }),
  model: z.string().trim().min(1).max(200).optional(),
  size: z.string().trim().regex(/^(auto|\d{1,5}x\d{1,5})$/, 'Use "auto" or WIDTHxHEIGHT, e.g. 1024x1024')
    .optional(),
  n: z.number().int().min(1).max(10).optional(),
  quality: z.enum(["auto", "low", "medium", "high", "standard", "hd"]).optional(),
}).openapi("ImageGenerationInput");

export const ImageJobCreate = z.object({
  job_type: z.string().default("image_generation").openapi({ example: "image_generation" }),
  input_data: ImageGenerationInput,
  metadata: JsonObject.default({}),
}).openapi("ImageJobCreate");

export const JobAccepted = z.object({
  job_id: z.uuid(),
  status: z.literal("pending"),
}).openapi("JobAccepted");

export const JobIdParams = z.object({
  job_id: z.uuid().openapi({ param: { name: "job_id", in: "path" } }),
});

export const ImageModel = z.object({
  id: z.string(),
  name: z.string(),
  provider: z.string().nullable(),
  pricing: z.object({
    per_image: z.number().nullable(),
    currency: z.enum(["credits", "USD"]),
  }),
}).openapi("ImageModel");

export const CostEstimateRequest = z.object({
  model: z.string().trim().min(1).max(200),
  dimensions: z.tuple([
    z.number().int().min(1).max(MAX_IMAGE_SIDE * 4),
    z.number().int().min(1).max(MAX_IMAGE_SIDE * 4),
  ]).optional().openapi({ description: "[width, height] in pixels" }),
  steps: z.number().int().min(1).max(1000).optional(),
  metadata: JsonObject.optional(),
}).openapi("CostEstimateRequest");

export const CostEstimate = z.object({
  model: z.string(),
  cost_credits: z.number(),
  currency: z.literal("credits"),
  breakdown: z.object({
    base_credits: z.number(),
    resolution_factor: z.number().openapi({ description: "(width × height) / (1024 × 1024), or 0" }),
    steps_factor: z.number().openapi({ description: "steps / 50, or 0" }),
    multiplier: z.number().openapi({ description: "1 + resolution_factor + steps_factor" }),
  }),
}).openapi("CostEstimate");

export type Job = z.infer<typeof Job>;
export type ImageJobCreate = z.infer<typeof ImageJobCreate>;
export type ImageModel = z.infer<typeof ImageModel>;
export type CostEstimateRequest = z.infer<typeof CostEstimateRequest>;
export type CostEstimate = z.infer<typeof CostEstimate>;
