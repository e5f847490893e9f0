/**
 * The local Auth server (GoTrue REST contract) mounted by the gateway under /auth/v1, which
 * strips that prefix. Users, identities, sessions and refresh tokens live in the auth schema.
 * @module
 */
import { Hono } from "hono";
import type { StackConfig } from "../config.ts";
import { PUBLIC_JWKS } from "../keys.ts";
import type { PlatformService } from "../service.ts";
import { createUser, deleteUserRoute, getUserRoute, listUsersRoute, updateUserRoute } from "./admin.ts";
import type { AuthServices } from "./context.ts";
import { connectAuthDb } from "./db.ts";
import { errorResponse } from "./errors.ts";
import { signup } from "./signup.ts";
import { token } from "./token.ts";
import { getUser, logout, updateUser } from "./user.ts";

const GOTRUE_VERSION = "v2.189.0";

/** GET /settings: what a client may offer (only e-mail sign-in is configured locally). */
function settings(config: StackConfig) {
  const providers = [
    "anonymous_users",
    "apple",
    "azure",
    "bitbucket",
    "discord",
    "facebook",
    "figma",
    "fly",
    "github",
    "gitlab",
    "google",
    "keycloak",
    "kakao",
    "linkedin",
    "linkedin_oidc",
    "notion",
    "spotify",
    "slack",
    "slack_oidc",
    "workos",
    "twitch",
    "twitter",
    "email",
    "phone",
    "zoom",
  ];
  return {
    external: Object.fromEntries(providers.map((name) => [name, name === "email"])),
    disable_signup: !config.auth.enableSignup,
    mailer_autoconfirm: !config.auth.enableConfirmations,
    phone_autoconfirm: false,
    sms_provider: "twilio",
    saml_enabled: false,
    saml_private_key_next_configured: false,
    passkeys_enabled: false,
  };
}

function routes(services: AuthServices): Hono {
  const app = new Hono();
  const { config } = services;
  app.get("/health", (c) =>
    c.json({
      version: GOTRUE_VERSION,
      name: "GoTrue",
      description: "GoTrue is a user registration and authentication API",
    }));
  app.get("/settings", (c) => c.json(settings(config)));
  app.get(
    "/.well-known/jwks.json",
    (c) => c.json(PUBLIC_JWKS, 200, { "cache-control": "public, max-age=600" }),
  );
  app.post("/signup", (c) => signup(services, c.req.raw));
  app.post("/token", (c) => token(services, c.req.raw));
  app.post("/logout", (c) => logout(services, c.req.raw));
  app.get("/user", (c) => getUser(services, c.req.raw));
  app.put("/user", (c) => updateUser(services, c.req.raw));
  app.post("/admin/users", (c) => createUser(services, c.req.raw));
  app.get("/admin/users", (c) => listUsersRoute(services, c.req.raw));
  app.get("/admin/users/:id", (c) => getUserRoute(services, c.req.raw, c.req.param("id")));
  app.put("/admin/users/:id", (c) => updateUserRoute(services, c.req.raw, c.req.param("id")));
  app.delete("/admin/users/:id", (c) => deleteUserRoute(services, c.req.raw, c.req.param("id")));
  app.onError((error, c) => errorResponse(error, c.req.raw));
  // chi's default answer for an unknown route.
  app.notFound(() =>
    new Response("404 page not found\n", { status: 404, headers: { "content-type": "text/plain" } })
  );
  return app;
}

/** The Auth service the gateway mounts under /auth/v1. */
export function createAuthServer(config: StackConfig): PlatformService {
  const db = connectAuthDb(config);
  const app = routes({ config, db });
  return {
    fetch: (request) => app.fetch(request),
    close: async () => await db.end({ timeout: 5 }),
  };
}
