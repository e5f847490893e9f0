/**
 * Activating providers through the API against fake provider servers.
 * @module
 */
import { call, type CallResult } from "./api.ts";
import type { FakeProvider } from "./fake_providers.ts";

/** A key of the given length that no other test uses. */
export function testKey(prefix = "sk-test-"): string {
  return `${prefix}${crypto.randomUUID().replaceAll("-", "")}`;
}

export interface ActivateOptions {
  apiKey?: string;
  metadata?: Record<string, unknown>;
  displayName?: string;
}

/** POST /v1/providers/activate for `fake`'s provider, pointed at the fake. */
export function activateFake(
  token: string,
  fake: FakeProvider,
  options: ActivateOptions = {},
  // deno-lint-ignore no-explicit-any
): Promise<CallResult<any>> {
  return call("/v1/providers/activate", {
    method: "POST",
    token,
    body: {
      provider: fake.provider,
      api_key: options.apiKey ?? testKey(),
      base_url: fake.baseUrl,
      ...(options.metadata ? { metadata: options.metadata } : {}),
      ...(options.displayName ? { display_name: options.displayName } : {}),
    },
  });
}
