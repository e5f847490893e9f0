/**
 * Models: the catalogue of every model the caller's providers offer, and the caller's saved model
 * configurations (import, read, delete, default).
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { asUser, userReader, withUser } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { authErrors, body, errors, json, routeBuilder, UNKNOWN_FIELDS_IGNORED } from "../http/openapi.ts";
import { PAGE_HEADERS, PageQuery, setNextCursor } from "../http/paging.ts";
import {
  CatalogueQuery,
  ImportModelsRequest,
  ModelConfiguration,
  ModelIdParams,
  ModelUpdate,
  ProviderModelsResponse,
  SetDefaultRequest,
} from "./schemas.ts";
import * as models from "./service.ts";

const route = routeBuilder("models");

const catalogue = route({
  method: "get",
  path: "/v1/models",
  summary: "Every model the caller's active providers offer (fetched concurrently, cached)",
  description:
    "A provider that fails is named in `message` and `provider_errors`; the others' models are listed.",
  request: { query: CatalogueQuery },
  responses: { 200: json(ProviderModelsResponse, "The catalogue"), 400: errors[400], ...authErrors },
});

const listSaved = route({
  method: "get",
  path: "/v1/models/saved",
  summary: "The caller's saved model configurations, oldest first",
  request: { query: PageQuery },
  responses: {
    200: { ...json(ModelConfiguration.array(), "Saved models"), headers: PAGE_HEADERS },
    ...authErrors,
  },
});

const importModels = route({
  method: "post",
  path: "/v1/models/import",
  summary: "Save models of a configured provider (an id already saved is updated)",
  request: body(ImportModelsRequest),
  responses: {
    200: json(ModelConfiguration.array(), "The saved configurations, in the order sent"),
    400: errors[400],
    424: errors[424],
    ...authErrors,
  },
});

const updateModel = route({
  method: "patch",
  path: "/v1/models/{model_id}",
  summary: "Edit a saved configuration: display name, settings (only those sent change), active flag",
  request: { params: ModelIdParams, ...body(ModelUpdate) },
  responses: { 200: json(ModelConfiguration, "The updated configuration"), 404: errors[404], ...authErrors },
});

const getModel = route({
  method: "get",
  path: "/v1/models/{model_id}",
  summary: "One saved model configuration",
  request: { params: ModelIdParams },
  responses: { 200: json(ModelConfiguration, "The configuration"), 404: errors[404], ...authErrors },
});

const deleteModel = route({
  method: "delete",
  path: "/v1/models/{model_id}",
  summary: "Delete a saved model configuration",
  request: { params: ModelIdParams },
  responses: { 204: { description: "Deleted" }, 404: errors[404], ...authErrors },
});

const setDefault = route({
  method: "post",
  path: "/v1/models/{model_id}/default",
  summary: "Make a model the default (the previous default is cleared), or clear its default flag",
  request: {
    params: ModelIdParams,
    body: {
      description: UNKNOWN_FIELDS_IGNORED,
      content: { "application/json": { schema: SetDefaultRequest } },
      required: false,
    },
  },
  responses: { 200: json(ModelConfiguration, "The configuration"), 404: errors[404], ...authErrors },
});

export function modelRoutes() {
  const router = createRouter();
  router.use("/v1/models", requireUser());
  router.use("/v1/models/*", requireUser());

  router.openapi(catalogue, async (c) => {
    const claims = c.get("claims");
    return c.json(await models.browseCatalogue(withUser(claims), claims.sub, c.req.valid("query")), 200);
  });
  // Registered before /v1/models/{model_id} so "saved" is never read as an id.
  router.openapi(listSaved, async (c) => {
    const claims = c.get("claims");
    const query = c.req.valid("query");
    const page = await models.listSavedModels(userReader(claims), claims.sub, query);
    setNextCursor(c, query.limit, page.next);
    return c.json(page.items, 200);
  });
  router.openapi(importModels, async (c) => {
    const claims = c.get("claims");
    return c.json(await models.importModels(withUser(claims), claims.sub, c.req.valid("json")), 200);
  });
  router.openapi(getModel, async (c) => {
    const claims = c.get("claims");
    const { model_id } = c.req.valid("param");
    return c.json(await asUser(claims, (tx) => models.getModel(tx, claims.sub, model_id)), 200);
  });
  router.openapi(updateModel, async (c) => {
    const claims = c.get("claims");
    const { model_id } = c.req.valid("param");
    const update = c.req.valid("json");
    return c.json(await asUser(claims, (tx) => models.updateModel(tx, claims.sub, model_id, update)), 200);
  });
  router.openapi(deleteModel, async (c) => {
    const claims = c.get("claims");
    const { model_id } = c.req.valid("param");
    await asUser(claims, (tx) => models.deleteModel(tx, claims.sub, model_id));
    return c.body(null, 204);
  });
  router.openapi(setDefault, async (c) => {
    const claims = c.get("claims");
    const { model_id } = c.req.valid("param");
    const isDefault = c.req.valid("json").is_default ?? true;
    return c.json(
      await asUser(claims, (tx) => models.setDefaultModel(tx, claims.sub, model_id, isDefault)),
      200,
    );
  });
  return router;
}
