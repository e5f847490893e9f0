/**
 * How to reach each supported LLM provider: its default base URL and how a key is presented.
 * Wire facts only (PROVIDERS.md); what a user configured lives in the providers domain.
 * @module
 */

/** Every provider the backend can talk to, in the order they are listed to users. */
export const PROVIDER_IDS = [
  "openai",
  "groq",
  "openrouter",
  "imagerouter",
  "anthropic",
  "deepseek",
  "mistral",
  "openai_compatible",
] as const;

export type ProviderId = typeof PROVIDER_IDS[number];

export interface ProviderSpec {
  /** The base URL every path is appended to; null when the user must give one. */
  defaultBaseUrl: string | null;
  /** `bearer`: `Authorization: Bearer <key>`; `x-api-key`: Anthropic's header pair. */
  auth: "bearer" | "x-api-key";
  /**
   * A path that rejects a bad key, for providers whose model list is public (so listing models
   * alone would accept any key).
   */
  keyCheckPath?: string;
}

export const PROVIDER_SPECS: Record<ProviderId, ProviderSpec> = {
  openai: { defaultBaseUrl: "https://api.openai.com/v1", auth: "bearer" },
  groq: { defaultBaseUrl: "https://api.groq.com/openai/v1", auth: "bearer" },
  openrouter: { defaultBaseUrl: "https://openrouter.ai/api/v1", auth: "bearer", keyCheckPath: "/key" },
  imagerouter: { defaultBaseUrl: "https://api.imagerouter.io/v1", auth: "bearer", keyCheckPath: "/credits" },
  anthropic: { defaultBaseUrl: "https://api.anthropic.com/v1", auth: "x-api-key" },
  deepseek: { defaultBaseUrl: "https://api.deepseek.com", auth: "bearer" },
  mistral: { defaultBaseUrl: "https://api.mistral.ai/v1", auth: "bearer" },
  openai_compatible: { defaultBaseUrl: null, auth: "bearer" },
};

/** The Messages API version Anthropic requires on every request. */
export const ANTHROPIC_VERSION = "2023-06-01";

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === "string" && (PROVIDER_IDS as readonly string[]).includes(value);
}

/** The headers that authenticate `apiKey` with `provider`. */
export function authHeaders(provider: ProviderId, apiKey: string): Record<string, string> {
  if (PROVIDER_SPECS[provider].auth === "x-api-key") {
    return { "x-api-key": apiKey, "anthropic-version": ANTHROPIC_VERSION };
  }
  return { authorization: `Bearer ${apiKey}` };
}

/** `path` under `baseUrl`, whatever trailing slashes the base URL carries. */
export function providerUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, "") + path;
}
