/**
 * The supported providers as users see them: names, which settings they need, and how a row's
 * settings resolve to what a call uses (base URL, timeout).
 * @module
 */
import { isProviderId, PROVIDER_IDS, PROVIDER_SPECS, type ProviderId } from "../llm/providers.ts";

export { PROVIDER_IDS, type ProviderId };

export const DISPLAY_NAMES: Record<ProviderId, string> = {
  openai: "OpenAI",
  groq: "Groq",
  openrouter: "OpenRouter",
  imagerouter: "ImageRouter",
  anthropic: "Anthropic",
  deepseek: "DeepSeek",
  mistral: "Mistral AI",
  openai_compatible: "OpenAI-compatible",
};

/**
 * Providers the app runs on the user's device (Ollama, LM Studio): their saved models sync through
 * the API, but the server has no row, no key and never calls them.
 */
export const CLIENT_SIDE_PROVIDERS = ["ollama", "lmstudio"] as const;
export type ClientSideProvider = typeof CLIENT_SIDE_PROVIDERS[number];
/** Whatever a saved model configuration may name. */
export type ModelProvider = ProviderId | ClientSideProvider;

export const isClientSideProvider = (name: string): name is ClientSideProvider =>
  (CLIENT_SIDE_PROVIDERS as readonly string[]).includes(name);

/** A provider call's timeout when the row's metadata sets none (`metadata.timeout`, seconds). */
export const DEFAULT_TIMEOUT_SECONDS = 10;
export const MAX_TIMEOUT_SECONDS = 300;

/** `name` as a supported provider id (any case, spaces trimmed), or null. */
export function parseProviderId(name: string): ProviderId | null {
  const id = name.trim().toLowerCase();
  return isProviderId(id) ? id : null;
}

/** Whether the provider has no default base URL (the user must give one). */
export function requiresBaseUrl(provider: ProviderId): boolean {
  return PROVIDER_SPECS[provider].defaultBaseUrl === null;
}

/** The base URL calls go to: the row's own, else the provider's default. */
export function resolveBaseUrl(provider: ProviderId, baseUrl: string | null | undefined): string | null {
  return baseUrl || PROVIDER_SPECS[provider].defaultBaseUrl;
}

/** The timeout a row's metadata asks for, in milliseconds (default and bounds applied). */
export function timeoutMs(metadata: Record<string, unknown> | null | undefined): number {
  const seconds = Number(metadata?.timeout);
  const valid = Number.isFinite(seconds) && seconds > 0;
  return Math.round(Math.min(valid ? seconds : DEFAULT_TIMEOUT_SECONDS, MAX_TIMEOUT_SECONDS) * 1000);
}

export function displayName(provider: ProviderId, custom?: string | null): string {
  return custom || DISPLAY_NAMES[provider];
}
