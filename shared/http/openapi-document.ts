/**
 * The OpenAPI document and the interactive docs, imported on their first request: the document is
 * generated from every domain's route definitions (the same zod schemas that validate requests),
 * so it needs them all, which a boot should not.
 * @module
 */
import { swaggerUI } from "@hono/swagger-ui";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import type { App } from "./app.ts";
import type { AppEnv } from "./types.ts";

type DocumentObject = Parameters<OpenAPIHono["getOpenAPI31Document"]>[0];
type SecurityScheme = Parameters<OpenAPIHono["openAPIRegistry"]["registerComponent"]>[2];

export interface DocumentSettings {
  /** Where the routers are mounted: the document's paths start with it. */
  basePath: string;
  /** What the document says of itself: version, info, servers. */
  document: DocumentObject;
  securitySchemes: Record<string, SecurityScheme>;
}

/** The OpenAPI 3.1 document of `routers`, mounted in this order (as OpenAPIHono's doc31() makes it). */
export function openApiDocument(routers: App[], settings: DocumentSettings) {
  const app = new OpenAPIHono<AppEnv>().basePath(settings.basePath);
  for (const router of routers) app.route("/", router);
  for (const [name, scheme] of Object.entries(settings.securitySchemes)) {
    app.openAPIRegistry.registerComponent("securitySchemes", name, scheme);
  }
  return app.getOpenAPI31Document(settings.document);
}

/** Swagger UI reading the document at `url`. */
export const docsPage = (url: string) => swaggerUI({ url }) as MiddlewareHandler<AppEnv>;
