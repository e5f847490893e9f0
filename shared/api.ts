/**
 * The `api` function's application: every domain's routes on the app frame, plus the OpenAPI
 * document and interactive docs generated from the same zod schemas that validate requests; and
 * the destination guard's policy, from the configuration (`ALLOW_PRIVATE_DESTINATIONS`).
 * @module
 */
import { swaggerUI } from "@hono/swagger-ui";
import { config } from "./config/env.ts";
import { createApp } from "./http/app.ts";
import { setDestinationPolicy } from "./llm/destinations.ts";
import { docsPolicy } from "./http/security-headers.ts";

/** Where @hono/swagger-ui loads Swagger UI's script and styles from. */
const SWAGGER_CDN = "https://cdn.jsdelivr.net";
import { accountRoutes } from "./accounts/routes.ts";
import { API_VERSION, healthRoutes } from "./health/routes.ts";
import { AVATAR_PATH, userRoutes } from "./users/routes.ts";
import { providerRoutes } from "./providers/routes.ts";
import { modelRoutes } from "./models/routes.ts";
import { chatRoutes } from "./chats/routes.ts";
import { branchRoutes } from "./chats/branch-routes.ts";
import { generationRoutes } from "./chats/generation-routes.ts";
import { shareRoutes } from "./shares/routes.ts";
import { usageRoutes } from "./usage/routes.ts";
import { jobRoutes } from "./images/routes.ts";
import { waitlistRoutes } from "./waitlist/routes.ts";
import { attachmentRoutes, ATTACHMENTS_PATH } from "./attachments/routes.ts";
import { limitsConfig } from "./limits/config.ts";
import { referralRoutes } from "./referrals/routes.ts";
import { referralConfig } from "./referrals/config.ts";
import { notificationRoutes } from "./notifications/routes.ts";

/**
 * The app's referral and notification screens call `/v1/v1/...` (API-LATER.md §0): served as the
 * `/v1/...` routes, without a second entry in the OpenAPI document.
 */
const DOUBLED_PREFIX = /^\/api\/v1\/v1\/(?=(referral|notifications|notification-preferences)(\/|$))/;
const undoubled = (path: string) => path.replace(DOUBLED_PREFIX, "/api/v1/");

export function createApi() {
  setDestinationPolicy({ allowPrivate: config().allowPrivateDestinations });
  const app = createApp("/api", { uploadPaths: [AVATAR_PATH, ATTACHMENTS_PATH], rewritePath: undoubled });
  // These domains' settings are validated at boot, as the rest of the configuration is.
  limitsConfig();
  referralConfig();
  app.route("/", healthRoutes());
  app.route("/", accountRoutes());
  app.route("/", userRoutes());
  app.route("/", providerRoutes());
  app.route("/", modelRoutes());
  app.route("/", chatRoutes());
  app.route("/", branchRoutes());
  app.route("/", generationRoutes());
  app.route("/", shareRoutes());
  app.route("/", usageRoutes());
  app.route("/", jobRoutes());
  app.route("/", referralRoutes());
  app.route("/", notificationRoutes());
  app.route("/", waitlistRoutes());
  app.route("/", attachmentRoutes());
  app.openAPIRegistry.registerComponent("securitySchemes", "Bearer", { type: "http", scheme: "bearer" });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: { title: "PocketLLM API", version: API_VERSION },
    servers: [{ url: "/functions/v1", description: "Supabase functions URL" }],
  });
  app.get("/docs", docsPolicy(SWAGGER_CDN), swaggerUI({ url: "/functions/v1/api/openapi.json" }));
  return app;
}
