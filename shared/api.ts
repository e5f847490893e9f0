/**
 * The `api` function's application: the app frame, and every domain's routes mounted on the first
 * request that could reach them (http/lazy-routes.ts: a boot evaluates the frame alone), plus the
 * OpenAPI document and interactive docs generated on first request from the same zod schemas that
 * validate requests; and the destination guard's policy, from the configuration
 * (`ALLOW_PRIVATE_DESTINATIONS`). The configuration is validated here, at boot.
 * @module
 */
import { getPath } from "hono/utils/url";
import { config } from "./config/env.ts";
import { type App, createApp, failingRouter } from "./http/app.ts";
import { type LazyDomain, LazyRoutes, pathKey } from "./http/lazy-routes.ts";
import type { DocumentSettings } from "./http/openapi-document.ts";
import { docsPolicy } from "./http/security-headers.ts";
import { setDestinationPolicy } from "./llm/destinations.ts";
import { API_VERSION } from "./health/routes.ts";
import { AVATAR_PATH } from "./users/upload-path.ts";
import { ATTACHMENTS_PATH } from "./attachments/upload-path.ts";
import { limitsConfig } from "./limits/config.ts";
import { referralConfig } from "./referrals/config.ts";
import { loadOnce } from "./runtime/load-once.ts";

/** For the function's entry: the isolate's database connects at boot (see db/client.ts). */
export { warmDatabase } from "./db/client.ts";

const BASE_PATH = "/api";
/** Where @hono/swagger-ui loads Swagger UI's script and styles from. */
const SWAGGER_CDN = "https://cdn.jsdelivr.net";

/**
 * Every domain, in the order its routes are mounted and documented, with the path keys its routes
 * start with ("v1/chats" for /api/v1/chats/...; see pathKey).
 */
export const API_DOMAINS: Record<string, LazyDomain<App>> = {
  health: {
    keys: ["", "v1", "health", "v1/health"],
    load: async () => (await import("./health/routes.ts")).healthRoutes(),
    loadDocs: async () => (await import("./health/openapi.ts")).healthDocs(),
  },
  accounts: { keys: ["v1/auth"], load: async () => (await import("./accounts/routes.ts")).accountRoutes() },
  users: { keys: ["v1/users"], load: async () => (await import("./users/routes.ts")).userRoutes() },
  providers: {
    keys: ["v1/providers"],
    load: async () => (await import("./providers/routes.ts")).providerRoutes(),
  },
  models: { keys: ["v1/models"], load: async () => (await import("./models/routes.ts")).modelRoutes() },
  chats: { keys: ["v1/chats"], load: async () => (await import("./chats/routes.ts")).chatRoutes() },
  branches: {
    keys: ["v1/chats"],
    load: async () => (await import("./chats/branch-routes.ts")).branchRoutes(),
  },
  generations: {
    keys: ["v1/chats"],
    load: async () => (await import("./chats/generation-routes.ts")).generationRoutes(),
  },
  shares: {
    keys: ["v1/chats", "v1/shared"],
    load: async () => (await import("./shares/routes.ts")).shareRoutes(),
  },
  usage: { keys: ["v1/usage"], load: async () => (await import("./usage/routes.ts")).usageRoutes() },
  jobs: { keys: ["v1/jobs"], load: async () => (await import("./images/routes.ts")).jobRoutes() },
  referrals: {
    keys: ["v1/referral", "v1/auth"],
    load: async () => (await import("./referrals/routes.ts")).referralRoutes(),
  },
  notifications: {
    keys: ["v1/notifications", "v1/notification-preferences"],
    load: async () => (await import("./notifications/routes.ts")).notificationRoutes(),
  },
  waitlist: {
    keys: ["v1/waitlist"],
    load: async () => (await import("./waitlist/routes.ts")).waitlistRoutes(),
  },
  attachments: {
    keys: ["v1/attachments"],
    load: async () => (await import("./attachments/routes.ts")).attachmentRoutes(),
  },
};

const DOCUMENT: Omit<DocumentSettings, "basePath"> = {
  document: {
    openapi: "3.1.0",
    info: { title: "PocketLLM API", version: API_VERSION },
    servers: [{ url: "/functions/v1", description: "Supabase functions URL" }],
  },
  securitySchemes: { Bearer: { type: "http", scheme: "bearer" } },
};

/**
 * The app's referral and notification screens call `/v1/v1/...` (API-LATER.md §0): served as the
 * `/v1/...` routes, without a second entry in the OpenAPI document.
 */
const DOUBLED_PREFIX = /^\/api\/v1\/v1\/(?=(referral|notifications|notification-preferences)(\/|$))/;
const undoubled = (path: string) => path.replace(DOUBLED_PREFIX, "/api/v1/");

/** The frame with `routers` mounted, and the document's routes. */
function composeApp(routers: App[], document: () => Promise<unknown>): App {
  const app = createApp(BASE_PATH, { uploadPaths: [AVATAR_PATH, ATTACHMENTS_PATH], rewritePath: undoubled });
  for (const router of routers) app.route("/", router);
  app.get("/openapi.json", async (c) => c.json(await document()));
  app.get("/docs", docsPolicy(SWAGGER_CDN), async (c, next) => {
    const { docsPage } = await import("./http/openapi-document.ts");
    return docsPage("/functions/v1/api/openapi.json")(c, next);
  });
  return app;
}

/** Every domain's definitions in one OpenAPI document. */
async function generateDocument(routes: LazyRoutes<App>) {
  const [{ openApiDocument }, routers] = await Promise.all([
    import("./http/openapi-document.ts"),
    routes.documented(),
  ]);
  return openApiDocument(routers, { basePath: BASE_PATH, ...DOCUMENT });
}

export function createApi(): LazyRoutes<App> {
  setDestinationPolicy({ allowPrivate: config().allowPrivateDestinations });
  // These domains' settings are validated at boot, as the rest of the configuration is.
  limitsConfig();
  referralConfig();
  // Generated on its first request, once per app (a failure is tried again by the next request).
  const document = loadOnce(() => generateDocument(routes));
  const routes: LazyRoutes<App> = new LazyRoutes(
    API_DOMAINS,
    (routers) => composeApp(routers, document),
    (request) => pathKey(BASE_PATH, undoubled(getPath(request))),
    failingRouter,
  );
  return routes;
}
