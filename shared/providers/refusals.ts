/**
 * The providers domain's refusals, as the API answers them: a provider the backend does not support
 * (400, listing the supported ones) and one the caller has not configured (422, not 404: the app
 * re-sends 404s, body and token included, to another host; the provider itself exists).
 * @module
 */
import { badRequest, unprocessable } from "../errors/api-error.ts";
import { DISPLAY_NAMES, parseProviderId, PROVIDER_IDS, type ProviderId } from "./registry.ts";

/** `name` as a supported provider id, or a 400 that lists the supported ones. */
export function supportedProvider(name: string): ProviderId {
  const id = parseProviderId(name);
  if (id) return id;
  throw badRequest(
    `Unsupported provider "${name}". Supported providers: ${PROVIDER_IDS.join(", ")}.`,
    "unsupported_provider",
  );
}

export const notConfigured = (provider: ProviderId) =>
  unprocessable(
    "provider_not_configured",
    `${DISPLAY_NAMES[provider]} is not configured. Activate it first.`,
  );
