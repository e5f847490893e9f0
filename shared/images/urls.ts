/**
 * Stored images as the API shows them: each `output_data.images[]` entry that names a
 * `storage_path` gets a signed download `url` (and `url_expires_at`) when the job is read. All the
 * jobs of one response are signed in one Storage request.
 * @module
 */
import { imageUrlTtlSeconds } from "./config.ts";
import { removeImages, signImages } from "./store.ts";
import type { Job } from "./schemas.ts";

type Output = Job["output_data"];
type ImageEntry = Record<string, unknown> & { storage_path?: unknown };

function imagesOf(output: Output): ImageEntry[] {
  const images = output?.images;
  return Array.isArray(images) ? images.filter((image) => typeof image === "object" && image !== null) : [];
}

function pathsOf(output: Output): string[] {
  return imagesOf(output).flatMap((image) =>
    typeof image.storage_path === "string" ? [image.storage_path] : []
  );
}

async function signAll(paths: string[], ttl: number): Promise<Map<string, string>> {
  try {
    return await signImages(paths, ttl);
  } catch (error) {
    // The job is still worth returning; its images just have no URL this time.
    console.error(JSON.stringify({ level: "error", msg: "could not sign image URLs", error: String(error) }));
    return new Map();
  }
}

/** The jobs with signed URLs on their stored images (url: null when one could not be signed). */
export async function withImageUrls(jobs: Job[]): Promise<Job[]> {
  const paths = jobs.flatMap((job) => pathsOf(job.output_data));
  if (paths.length === 0) return jobs;
  const ttl = imageUrlTtlSeconds();
  const urls = await signAll([...new Set(paths)], ttl);
  const expiresAt = new Date(Date.now() + ttl * 1000).toISOString();
  return jobs.map((job) => {
    if (pathsOf(job.output_data).length === 0) return job;
    const images = imagesOf(job.output_data).map((image) => {
      if (typeof image.storage_path !== "string") return image;
      const url = urls.get(image.storage_path) ?? null;
      return { ...image, url, url_expires_at: url ? expiresAt : null };
    });
    return { ...job, output_data: { ...job.output_data, images } };
  });
}

/** Removes a deleted job's images now; if Storage fails, the hourly sweep removes them later. */
export async function removeJobImages(output: Output): Promise<void> {
  try {
    await removeImages(pathsOf(output));
  } catch (error) {
    console.error(
      JSON.stringify({ level: "error", msg: "could not remove job images", error: String(error) }),
    );
  }
}
