/**
 * Providers: the caller's provider configurations, their status, activation with key validation,
 * updates (key rotation or removal), deactivation, and one provider's model catalogue.
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { asUser, withUser } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { ApiError } from "../errors/api-error.ts";
import { validationDetails } from "../http/errors.ts";
import { jsonField, readObjectBody } from "../http/flexible-body.ts";
import {
  authErrors,
  body,
  ErrorEnvelope,
  errors,
  json,
  routeBuilder,
  UNKNOWN_FIELDS_IGNORED,
} from "../http/openapi.ts";
import {
  ActivateProviderRequest,
  ActivateProviderResponse,
  CatalogueQuery,
  ProviderConfiguration,
  ProviderModelsResponse,
  ProviderParams,
  ProviderStatus,
  UpdateProviderRequest,
} from "./schemas.ts";
import * as providers from "./service.ts";

const route = routeBuilder("providers");

/** Listed after `authErrors`, whose 422 this one extends. */
const upstreamErrors = {
  400: json(ErrorEnvelope, "Unsupported provider, or the provider rejected the key"),
  422: json(ErrorEnvelope, "Invalid input, or a base URL on a non-public address (`url_not_allowed`)"),
  424: errors[424],
} as const;

const listProviders = route({
  method: "get",
  path: "/v1/providers",
  summary: "The caller's provider configurations",
  responses: { 200: json(ProviderConfiguration.array(), "Configurations"), ...authErrors },
});

const providerStatus = route({
  method: "get",
  path: "/v1/providers/status",
  summary: "Status of every supported provider",
  responses: { 200: json(ProviderStatus.array(), "One status per supported provider"), ...authErrors },
});

// The body is read by hand (JSON object, JSON string, or form fields), so it is documented only.
const activate = route({
  method: "post",
  path: "/v1/providers/activate",
  summary: "Validate a key with the provider, then store it in Vault and activate the provider",
  description:
    "The body may also be a JSON string holding the object, or form fields (metadata as a JSON string).",
  request: {
    body: {
      description: UNKNOWN_FIELDS_IGNORED,
      required: true,
      content: {
        "application/json": { schema: { $ref: "#/components/schemas/ActivateProviderRequest" } },
        "application/x-www-form-urlencoded": {
          schema: { $ref: "#/components/schemas/ActivateProviderRequest" },
        },
      },
    },
  },
  responses: { 200: json(ActivateProviderResponse, "The active provider"), ...authErrors, ...upstreamErrors },
});

const update = route({
  method: "patch",
  path: "/v1/providers/{provider}",
  summary: "Change a provider's settings; a new key is validated first, null removes the key",
  request: { params: ProviderParams, ...body(UpdateProviderRequest) },
  responses: {
    200: json(ProviderConfiguration, "The updated configuration"),
    ...authErrors,
    ...upstreamErrors,
  },
});

const deactivate = route({
  method: "delete",
  path: "/v1/providers/{provider}",
  summary: "Deactivate a provider (its configuration and key are kept)",
  request: { params: ProviderParams },
  responses: { 204: { description: "Deactivated" }, 400: errors[400], ...authErrors },
});

const providerModels = route({
  method: "get",
  path: "/v1/providers/{provider}/models",
  summary: "One provider's model catalogue, fetched with the caller's key (cached)",
  request: { params: ProviderParams, query: CatalogueQuery },
  responses: { 200: json(ProviderModelsResponse, "The provider's models"), ...authErrors, ...upstreamErrors },
});

/** The activation body in any accepted form, validated; a 422 otherwise. */
function activationRequest(raw: Record<string, unknown>): ActivateProviderRequest {
  const parsed = ActivateProviderRequest.safeParse(jsonField(raw, "metadata"));
  if (!parsed.success) throw new ApiError(422, "validation_error", validationDetails(parsed.error, "body"));
  return parsed.data;
}

export function providerRoutes() {
  const router = createRouter();
  router.openAPIRegistry.register("ActivateProviderRequest", ActivateProviderRequest);
  router.use("/v1/providers", requireUser());
  router.use("/v1/providers/*", requireUser());

  router.openapi(listProviders, async (c) => {
    const claims = c.get("claims");
    return c.json(await asUser(claims, (tx) => providers.listProviders(tx, claims.sub)), 200);
  });
  router.openapi(providerStatus, async (c) => {
    const claims = c.get("claims");
    return c.json(await asUser(claims, (tx) => providers.providerStatuses(tx, claims.sub)), 200);
  });
  router.openapi(activate, async (c) => {
    const claims = c.get("claims");
    const request = activationRequest(await readObjectBody(c));
    const provider = await providers.activateProvider(withUser(claims), claims.sub, request);
    return c.json({ provider }, 200);
  });
  router.openapi(update, async (c) => {
    const claims = c.get("claims");
    const { provider } = c.req.valid("param");
    const changes = c.req.valid("json");
    return c.json(await providers.updateProvider(withUser(claims), claims.sub, provider, changes), 200);
  });
  router.openapi(deactivate, async (c) => {
    const claims = c.get("claims");
    const { provider } = c.req.valid("param");
    await asUser(claims, (tx) => providers.deactivateProvider(tx, claims.sub, provider));
    return c.body(null, 204);
  });
  router.openapi(providerModels, async (c) => {
    const claims = c.get("claims");
    const { provider } = c.req.valid("param");
    const query = c.req.valid("query");
    return c.json(await providers.providerCatalogue(withUser(claims), claims.sub, provider, query), 200);
  });
  return router;
}
