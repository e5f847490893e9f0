/**
 * Provider wire fixtures in each provider's documented shape (PROVIDERS.md §2): model lists and
 * the error bodies they answer a bad key with. Shared by the fake servers and the parser tests.
 * @module
 */
import type { ProviderId } from "../../shared/llm/providers.ts";

const openAiList = (rows: { id: string; owned_by: string }[]) => ({
  object: "list",
  data: rows.map((row, index) => ({ ...row, object: "model", created: 1721172741 + index })),
});

/** A model list per provider, as its `GET {base}/models` answers. */
export const MODEL_LISTS: Record<ProviderId, unknown> = {
  openai: openAiList([
    { id: "gpt-4o-mini", owned_by: "system" },
    { id: "gpt-4o", owned_by: "system" },
    { id: "text-embedding-3-small", owned_by: "system" },
  ]),
  groq: {
    object: "list",
    data: [
      {
        id: "openai/gpt-oss-120b",
        object: "model",
        created: 1754408224,
        owned_by: "OpenAI",
        active: true,
        context_window: 131072,
        public_apps: null,
        max_completion_tokens: 65536,
      },
      {
        id: "llama-3.1-8b-instant",
        object: "model",
        created: 1693721698,
        owned_by: "Meta",
        active: true,
        context_window: 131072,
        public_apps: null,
        max_completion_tokens: 131072,
        name: "Llama 3.1 8B Instant",
        input_modalities: ["text"],
        output_modalities: ["text"],
      },
      {
        id: "gemma-7b-it",
        object: "model",
        created: 1693721698,
        owned_by: "Google",
        active: false,
        context_window: 8192,
        public_apps: null,
        max_completion_tokens: 8192,
      },
    ],
  },
  openrouter: {
    data: [
      {
        id: "openai/gpt-4o-mini",
        canonical_slug: "openai/gpt-4o-mini",
        name: "OpenAI: GPT-4o-mini",
        created: 1721260800,
        description: "GPT-4o mini is OpenAI's newest model after GPT-4 Omni.",
        context_length: 128000,
        architecture: {
          modality: "text+image->text",
          input_modalities: ["text", "image"],
          output_modalities: ["text"],
          tokenizer: "GPT",
          instruct_type: null,
        },
        pricing: { prompt: "0.00000015", completion: "0.0000006", request: "0", image: "0.000217" },
        top_provider: { context_length: 128000, max_completion_tokens: 16384, is_moderated: true },
        per_request_limits: null,
        supported_parameters: ["tools", "temperature"],
      },
      {
        id: "openrouter/auto",
        name: "Auto Router",
        created: 1699401600,
        description: "Your prompt will be processed by a meta-model.",
        context_length: 2000000,
        architecture: { modality: "text->text", input_modalities: ["text"], output_modalities: ["text"] },
        pricing: { prompt: "-1", completion: "-1" },
        top_provider: { context_length: null, max_completion_tokens: null, is_moderated: false },
        per_request_limits: null,
        supported_parameters: [],
      },
    ],
  },
  imagerouter: {
    "black-forest-labs/FLUX-1.1-pro": {
      providers: [{
        id: "runware",
        model_name: "bfl:2@1",
        pricing: { type: "post_generation", value: 0.04 },
      }],
      arena_score: 1083,
      release_date: "2024-11-02",
      output: ["image"],
      supported_params: { quality: false, edit: false, mask: false },
      sizes: ["1024x1024"],
      examples: [{ image: "/model-examples/FLUX-1.1-pro.webp" }],
    },
    "openai/gpt-image-1": {
      providers: [
        {
          id: "openai",
          model_name: "gpt-image-1",
          pricing: { type: "calculated", range: { min: 0.011, average: 0.167, max: 0.25 } },
        },
      ],
      arena_score: 1150,
      release_date: "2025-04-23",
      output: ["image"],
      supported_params: { quality: true, edit: true, mask: true },
    },
  },
  anthropic: {
    data: [
      {
        type: "model",
        id: "claude-sonnet-4-5",
        display_name: "Claude Sonnet 4.5",
        created_at: "2025-09-29T00:00:00Z",
      },
      {
        type: "model",
        id: "claude-opus-4-1",
        display_name: "Claude Opus 4.1",
        created_at: "2025-08-05T00:00:00Z",
        max_input_tokens: 200000,
        max_tokens: 32000,
      },
      {
        type: "model",
        id: "claude-3-5-haiku-20241022",
        display_name: "Claude Haiku 3.5",
        created_at: "2024-10-22T00:00:00Z",
      },
    ],
    has_more: false,
    first_id: "claude-sonnet-4-5",
    last_id: "claude-3-5-haiku-20241022",
  },
  deepseek: openAiList([
    { id: "deepseek-chat", owned_by: "deepseek" },
    { id: "deepseek-reasoner", owned_by: "deepseek" },
  ]),
  mistral: {
    object: "list",
    data: [
      mistralRow("mistral-large-2411", ["mistral-large-latest"], { completion_chat: true }),
      mistralRow("mistral-large-latest", ["mistral-large-2411"], { completion_chat: true }),
      mistralRow("mistral-embed", [], { completion_chat: false }),
      {
        ...mistralRow("open-mistral-7b", [], { completion_chat: true }),
        deprecation: "2024-11-30T12:00:00Z",
      },
    ],
  },
  openai_compatible: openAiList([
    { id: "llama3.2:latest", owned_by: "library" },
    { id: "qwen2.5:7b", owned_by: "library" },
  ]),
};

function mistralRow(id: string, aliases: string[], capabilities: Record<string, boolean>) {
  return {
    id,
    object: "model",
    created: 1732000000,
    owned_by: "mistralai",
    capabilities: { completion_fim: false, function_calling: true, vision: false, ...capabilities },
    name: id.startsWith("mistral-large") ? "mistral-large-2411" : id,
    description: `Official ${id} Mistral AI model`,
    max_context_length: 131072,
    aliases,
    deprecation: null,
    default_model_temperature: 0.7,
    type: "base",
  };
}

/** The ids each fixture lists once parsed (inactive, deprecated, aliases and embeddings aside). */
export const LISTED_IDS: Record<ProviderId, string[]> = {
  openai: ["gpt-4o-mini", "gpt-4o", "text-embedding-3-small"],
  groq: ["openai/gpt-oss-120b", "llama-3.1-8b-instant"],
  openrouter: ["openai/gpt-4o-mini", "openrouter/auto"],
  imagerouter: ["black-forest-labs/FLUX-1.1-pro", "openai/gpt-image-1"],
  anthropic: ["claude-sonnet-4-5", "claude-opus-4-1", "claude-3-5-haiku-20241022"],
  deepseek: ["deepseek-chat", "deepseek-reasoner"],
  mistral: ["mistral-large-2411"],
  openai_compatible: ["llama3.2:latest", "qwen2.5:7b"],
};

/** What each provider answers a bad key with (status 401; `key` is the key presented). */
export function badKeyBody(provider: ProviderId, key: string): unknown {
  const masked = `${key.slice(0, 3)}***${key.slice(-4)}`;
  switch (provider) {
    case "anthropic":
      return { type: "error", error: { type: "authentication_error", message: "invalid x-api-key" } };
    case "mistral":
      return { message: "Unauthorized", request_id: "fake-request" };
    case "openrouter":
      return { error: { message: "User not found.", code: 401 } };
    case "deepseek":
      return {
        error: {
          message: `Authentication Fails, Your api key: ${masked} is invalid`,
          type: "authentication_error",
          param: null,
          code: "invalid_request_error",
        },
      };
    case "groq":
      return {
        error: { message: "Invalid API Key", type: "invalid_request_error", code: "invalid_api_key" },
      };
    default:
      return {
        error: {
          message: `Incorrect API key provided: ${masked}. You can find your API key at the dashboard.`,
          type: "invalid_request_error",
          param: null,
          code: "invalid_api_key",
        },
      };
  }
}

/** What a provider answers while it is down (status 5xx). */
export const OUTAGE_BODY = {
  error: { message: "The server had an error while processing your request.", type: "server_error" },
};
