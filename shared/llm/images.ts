/**
 * Image generation over the OpenAI images wire format (PROVIDERS.md §1.5): OpenAI's
 * `/images/generations`, ImageRouter's `/v1/openai/images/generations`, or any OpenAI-compatible
 * base URL. Results come back as bytes whether the provider answered with `b64_json` or a `url`;
 * every failure is a {@link ProviderError} that says whether trying again can help (`permanent`) and
 * when (`retryAfter`).
 * @module
 */
import { Buffer } from "node:buffer";
import { badResponse } from "./errors.ts";
import { downloadImage, sniffImageType } from "./image-files.ts";
import { authHeaders, type ProviderId } from "./providers.ts";
import { type Deadline, deadline, fetchJson } from "./transport.ts";

/** The dialects of the images endpoint: where it lives under the base URL. */
export type ImageApi = "openai" | "imagerouter";

/** What to generate. Only the fields given are sent. */
export interface ImageRequest {
  prompt: string;
  model: string;
  size?: string;
  n?: number;
  quality?: string;
}

/** Who to ask, with which key. The key is sent as a Bearer token and scrubbed from any error. */
export interface ImageTarget {
  /** Who is called, for messages ("openai", "imagerouter", ...). */
  provider: ProviderId;
  api: ImageApi;
  baseUrl: string;
  apiKey: string;
}

export interface GeneratedImage {
  bytes: Uint8Array;
  contentType: string;
  revisedPrompt?: string;
}

export interface ImageResult {
  images: GeneratedImage[];
  /** Provider extras worth keeping (usage, cost), when present. */
  usage?: unknown;
}

export interface CallOptions {
  /** Aborts the whole call (request and downloads); its reason says why (see `stoppedError`). */
  signal: AbortSignal;
  /** Largest image accepted, in bytes. */
  maxImageBytes?: number;
}

const DEFAULT_MAX_IMAGE_BYTES = 20 * 1024 * 1024;

/** The generations endpoint for a base URL, whatever the user wrote after the host. */
export function imagesEndpoint(api: ImageApi, baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, "");
  if (api === "openai") return `${base}/images/generations`;
  if (/\/openai$/.test(base)) return `${base}/images/generations`;
  if (/\/v1$/.test(base)) return `${base}/openai/images/generations`;
  return `${base}/v1/openai/images/generations`;
}

/** GPT image models always answer in base64 and refuse `response_format`. */
function acceptsResponseFormat(model: string): boolean {
  return !/gpt-image/i.test(model);
}

function requestBody(request: ImageRequest): Record<string, unknown> {
  const body: Record<string, unknown> = { model: request.model, prompt: request.prompt };
  if (request.n !== undefined) body.n = request.n;
  if (request.size !== undefined) body.size = request.size;
  if (request.quality !== undefined) body.quality = request.quality;
  if (acceptsResponseFormat(request.model)) body.response_format = "b64_json";
  return body;
}

interface ImageDatum {
  b64_json?: unknown;
  url?: unknown;
  revised_prompt?: unknown;
}

async function imageOf(
  target: ImageTarget,
  datum: ImageDatum,
  limit: Deadline,
  maxBytes: number,
): Promise<GeneratedImage> {
  const revisedPrompt = typeof datum.revised_prompt === "string" ? datum.revised_prompt : undefined;
  if (typeof datum.b64_json === "string" && datum.b64_json.length > 0) {
    if (datum.b64_json.length > Math.ceil(maxBytes / 3) * 4) throw tooLarge(target, maxBytes);
    const bytes = new Uint8Array(Buffer.from(datum.b64_json, "base64"));
    return { bytes, contentType: sniffImageType(bytes) ?? "image/png", revisedPrompt };
  }
  // Any URL goes to the download, whose destination guard refuses what is not public http(s).
  if (typeof datum.url === "string" && datum.url.length > 0) {
    const downloaded = await downloadImage(target, datum.url, limit, maxBytes);
    return { ...downloaded, revisedPrompt };
  }
  throw badResponse(target.provider, "answered with an image that has no data");
}

function tooLarge(target: ImageTarget, maxBytes: number) {
  const megabytes = Math.round(maxBytes / 1024 / 1024);
  return badResponse(target.provider, `sent an image larger than ${megabytes} MB`, { permanent: true });
}

interface GenerationBody {
  data?: unknown;
  usage?: unknown;
  cost?: unknown;
}

function postGeneration(target: ImageTarget, request: ImageRequest, limit: Deadline) {
  return fetchJson({
    provider: target.provider,
    apiKey: target.apiKey,
    url: imagesEndpoint(target.api, target.baseUrl),
    headers: authHeaders(target.provider, target.apiKey),
    body: requestBody(request),
  }, limit) as Promise<GenerationBody | null>;
}

async function generate(target: ImageTarget, request: ImageRequest, limit: Deadline, maxBytes: number) {
  const body = await postGeneration(target, request, limit);
  const data = Array.isArray(body?.data) ? body.data as ImageDatum[] : [];
  if (data.length === 0) throw badResponse(target.provider, "answered without any image");
  const images = await Promise.all(data.map((datum) => imageOf(target, datum ?? {}, limit, maxBytes)));
  const usage = body?.usage ?? body?.cost;
  return usage === undefined ? { images } : { images, usage };
}

/**
 * Generates the images and returns their bytes. Image calls have no time limit of their own: the
 * caller's signal is theirs (a job's deadline).
 * @throws {ProviderError} when the provider refuses, fails, answers no image or the signal stops it.
 */
export async function generateImages(
  target: ImageTarget,
  request: ImageRequest,
  options: CallOptions,
): Promise<ImageResult> {
  const limit = deadline(Infinity, { parent: options.signal });
  try {
    return await generate(target, request, limit, options.maxImageBytes ?? DEFAULT_MAX_IMAGE_BYTES);
  } finally {
    limit.clear();
  }
}
