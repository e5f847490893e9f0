/**
 * The image cost estimate, with the old backend's formula (API.md Jobs): a base of 2.5 credits for
 * `stable-diffusion-xl` and 3.0 otherwise, times 1 + (w·h)/(1024·1024) when dimensions are given,
 * + steps/50 when steps are given, rounded to two decimals.
 * @module
 */
import type { CostEstimate, CostEstimateRequest } from "./schemas.ts";

const CHEAP_MODEL = "stable-diffusion-xl";
const CHEAP_BASE_CREDITS = 2.5;
const BASE_CREDITS = 3.0;

/** The classic per-image price of a model, in credits. */
export function baseCredits(model: string): number {
  return model === CHEAP_MODEL ? CHEAP_BASE_CREDITS : BASE_CREDITS;
}

/**
 * Python's round(x, 2), which the old backend used: the exact binary value is rounded (so 2.675,
 * stored as 2.67499..., goes down) and an exact tie (4.625) goes to the even cent. toFixed(100)
 * spells the double's exact decimal value for any amount this formula produces.
 */
export function roundCredits(value: number): number {
  const [whole, fraction] = Math.abs(value).toFixed(100).split(".");
  const cents = BigInt(whole + fraction.slice(0, 2));
  const rest = fraction.slice(2);
  const half = "5".padEnd(rest.length, "0");
  const up = rest > half || (rest === half && cents % 2n === 1n);
  return Math.sign(value) * Number(cents + (up ? 1n : 0n)) / 100;
}

export function estimateCost(request: CostEstimateRequest): CostEstimate {
  const base = baseCredits(request.model);
  const [width, height] = request.dimensions ?? [0, 0];
  const resolution = request.dimensions ? (width * height) / (1024 * 1024) : 0;
  const steps = request.steps === undefined ? 0 : request.steps / 50;
  const multiplier = 1 + resolution + steps;
  return {
    model: request.model,
    cost_credits: roundCredits(base * multiplier),
    currency: "credits",
    breakdown: { base_credits: base, resolution_factor: resolution, steps_factor: steps, multiplier },
  };
}
