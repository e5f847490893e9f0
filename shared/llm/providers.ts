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
  /** Headers every request to the provider carries besides the key (Anthropic's API version). */
  headers?: Record<string, string>;
}

/** The Messages API version Anthropic requires on every request. */
export const ANTHROPIC_VERSION = "2023-06-01";

export const PROVIDER_SPECS: Record<ProviderId, ProviderSpec> = {
  openai: { defaultBaseUrl: "https://api.openai.com/v1", auth: "bearer" },
  groq: { defaultBaseUrl: "https://api.groq.com/openai/v1", auth: "bearer" },
  openrouter: { defaultBaseUrl: "https://openrouter.ai/api/v1", auth: "bearer", keyCheckPath: "/key" },
  imagerouter: { defaultBaseUrl: "https://api.imagerouter.io/v1", auth: "bearer", keyCheckPath: "/credits" },
  anthropic: {
    defaultBaseUrl: "https://api.anthropic.com/v1",
    auth: "x-api-key",
    headers: { "anthropic-version": ANTHROPIC_VERSION },
  },
  deepseek: { defaultBaseUrl: "https://api.deepseek.com", auth: "bearer" },
  mistral: { defaultBaseUrl: "https://api.mistral.ai/v1", auth: "bearer" },
  openai_compatible: { defaultBaseUrl: null, auth: "bearer" },
};

export function isProviderId(value: unknown): value is ProviderId {
  return typeof value === "string" && (PROVIDER_IDS as readonly string[]).includes(value);
}

/**
 * The headers that authenticate `apiKey` with `provider`, plus the ones the provider requires on
 * every request. An empty key sends no key header (a local OpenAI-compatible server may need none).
 */
export function authHeaders(provider: ProviderId, apiKey: string): Record<string, string> {
  const spec = PROVIDER_SPECS[provider];
  const headers: Record<string, string> = { ...spec.headers };
  if (apiKey && spec.auth === "x-api-key") headers["x-api-key"] = apiKey;
  else if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  return headers;
}

/** `path` under `baseUrl`, whatever trailing slashes the base URL carries. */
export function providerUrl(baseUrl: string, path: string): string {
  return baseUrl.replace(/\/+$/, "") + path;
}
