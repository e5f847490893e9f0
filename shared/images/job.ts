/**
 * The `image_generation` job: the user's provider key from Vault, the images endpoint, the images
 * into Storage, and an `output_data` that names their storage paths (signed URLs are made when the
 * job is read).
 * @module
 */
import { z } from "zod";
import { asService } from "../db/client.ts";
import { IMAGE_PROVIDER_IDS, IMAGE_PROVIDERS } from "../llm/image-providers.ts";
import { ProviderError } from "../llm/errors.ts";
import { type GeneratedImage, generateImages } from "../llm/images.ts";
import { getProviderConnection } from "../providers/service.ts";
import { type JobContext, JobFailure, type JobOutcome, LeaseLost } from "../queue/handler.ts";
import { type ClaimedJob, renewLease } from "../queue/queue.ts";
import { imagePath, uploadImage } from "./store.ts";

/** `input_data` as the API stores it: provider and model are resolved when the job is created. */
const StoredInput = z.object({
  prompt: z.string().min(1),
  provider: z.enum(IMAGE_PROVIDER_IDS),
  model: z.string().min(1),
  size: z.string().optional(),
  n: z.number().int().min(1).optional(),
  quality: z.string().optional(),
});

type StoredInput = z.infer<typeof StoredInput>;

function inputOf(job: ClaimedJob): StoredInput {
  const parsed = StoredInput.safeParse(job.input_data);
  if (!parsed.success) {
    throw new JobFailure("The job's input_data is not a valid image request.", { permanent: true });
  }
  return parsed.data;
}

async function storeImages(job: ClaimedJob, images: GeneratedImage[]) {
  const stored = images.map((image, index) => ({
    image,
    path: imagePath(job.user_id, job.id, index, image.contentType),
  }));
  await Promise.all(stored.map(({ image, path }) => uploadImage(path, image.bytes, image.contentType)));
  return stored;
}

/** A provider's failure as the queue records it: permanent or retried, after its Retry-After. */
function asJobFailure(error: unknown): never {
  if (!(error instanceof ProviderError)) throw error;
  // Read as it reads ("openai answered 429: ..."), retried no sooner than the provider asked.
  throw new JobFailure(error.message, { permanent: error.permanent, retryAfterSeconds: error.retryAfter });
}

/** Runs one image job; throws a {@link JobFailure} (or an unexpected error) or {@link LeaseLost}. */
export async function runImageJob(job: ClaimedJob, context: JobContext): Promise<JobOutcome> {
  const input = inputOf(job);
  // The key is read from Vault now, just before the call, and kept nowhere.
  const access = await asService((tx) => getProviderConnection(tx, job.user_id, input.provider), context.db);
  if (!access) {
    throw new JobFailure(
      `Your ${input.provider} provider is no longer active or has no API key: activate it, then retry the job.`,
      { permanent: true },
    );
  }
  const { images, usage } = await generateImages(
    {
      provider: input.provider,
      api: IMAGE_PROVIDERS[input.provider].api,
      baseUrl: access.baseUrl,
      apiKey: access.apiKey,
    },
    { prompt: input.prompt, model: input.model, size: input.size, n: input.n, quality: input.quality },
    { signal: context.signal },
  ).catch(asJobFailure);
  // Cancelled while the provider worked: nothing to store.
  if (!await renewLease(job, context.leaseSeconds, context.db)) throw new LeaseLost();
  const stored = await storeImages(job, images);
  const output = {
    images: stored.map(({ image, path }) => ({
      storage_path: path,
      content_type: image.contentType,
      size_bytes: image.bytes.byteLength,
      ...(image.revisedPrompt ? { revised_prompt: image.revisedPrompt } : {}),
    })),
    provider: input.provider,
    model: input.model,
    size: input.size ?? null,
    quality: input.quality ?? null,
    ...(usage === undefined ? {} : { usage }),
  };
  return { output, files: stored.map(({ path }) => path) };
}
