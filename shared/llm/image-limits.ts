/**
 * What the images endpoints accept (PROVIDERS.md §1.5), so a request they would refuse is refused
 * when the job is created rather than failing later in the worker. Known model families (DALL·E 2,
 * DALL·E 3, GPT image) have their own limits whichever provider serves them; other models get the
 * general ones.
 * @module
 */

export interface ImageParameters {
  prompt: string;
  model: string;
  size?: string;
  n?: number;
  quality?: string;
}

/** One refused field, phrased for the caller. */
export interface ImageProblem {
  field: keyof ImageParameters;
  message: string;
}

interface FamilyLimits {
  maxPromptChars: number;
  maxImages: number;
  sizes?: string[];
  qualities?: string[];
}

const GENERAL: FamilyLimits = { maxPromptChars: 32_000, maxImages: 10 };

const FAMILIES: [RegExp, FamilyLimits][] = [
  [/dall-?e-?2/i, {
    maxPromptChars: 1_000,
    maxImages: 10,
    sizes: ["256x256", "512x512", "1024x1024"],
    qualities: ["standard"],
  }],
  [/dall-?e-?3/i, {
    maxPromptChars: 4_000,
    maxImages: 1,
    sizes: ["1024x1024", "1792x1024", "1024x1792"],
    qualities: ["standard", "hd"],
  }],
  [/gpt-image/i, {
    maxPromptChars: 32_000,
    maxImages: 10,
    sizes: ["auto", "1024x1024", "1536x1024", "1024x1536"],
    qualities: ["auto", "low", "medium", "high"],
  }],
];

/** Quality values a provider takes for models outside the known families. */
const PROVIDER_QUALITIES: Record<string, string[]> = {
  imagerouter: ["auto", "low", "medium", "high"],
};

/** The largest side a `WxH` size may have for models we know nothing about. */
export const MAX_IMAGE_SIDE = 4096;

function limitsOf(model: string): FamilyLimits {
  return FAMILIES.find(([pattern]) => pattern.test(model))?.[1] ?? GENERAL;
}

function sizeProblem(size: string, limits: FamilyLimits): string | undefined {
  if (limits.sizes) {
    return limits.sizes.includes(size) ? undefined : `This model accepts sizes ${limits.sizes.join(", ")}.`;
  }
  const sides = /^(\d+)x(\d+)$/.exec(size)?.slice(1).map(Number);
  if (size === "auto" || (sides && sides.every((side) => side >= 64 && side <= MAX_IMAGE_SIDE))) {
    return undefined;
  }
  return `Size must be "auto" or WIDTHxHEIGHT with sides between 64 and ${MAX_IMAGE_SIDE}.`;
}

/** Everything about `request` the provider would refuse for its model; empty when it is fine. */
export function imageRequestProblems(provider: string, request: ImageParameters): ImageProblem[] {
  const limits = limitsOf(request.model);
  const problems: ImageProblem[] = [];
  if (request.prompt.length > limits.maxPromptChars) {
    problems.push({
      field: "prompt",
      message: `This model takes prompts of up to ${limits.maxPromptChars} characters.`,
    });
  }
  if (request.n !== undefined && request.n > limits.maxImages) {
    problems.push({
      field: "n",
      message: `This model makes at most ${limits.maxImages} image(s) per request.`,
    });
  }
  const badSize = request.size === undefined ? undefined : sizeProblem(request.size, limits);
  if (badSize) problems.push({ field: "size", message: badSize });
  const qualities = limits.qualities ?? PROVIDER_QUALITIES[provider];
  if (request.quality !== undefined && qualities && !qualities.includes(request.quality)) {
    problems.push({ field: "quality", message: `This model accepts quality ${qualities.join(", ")}.` });
  }
  return problems;
}
