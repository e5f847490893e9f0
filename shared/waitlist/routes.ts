/**
 * The waitlist (`POST /v1/waitlist`): applications to join, sent without signing in, rate-limited per
 * client address.
 * @module
 */
import { createRouter } from "../http/router.ts";
import { authErrors, body, errors, json, routeBuilder } from "../http/openapi.ts";
import { requestAddress } from "../limits/client-address.ts";
import { WaitlistEntry, WaitlistRequest } from "./schemas.ts";
import { apply } from "./service.ts";

const route = routeBuilder("waitlist", { secured: false });

const applyRoute = route({
  method: "post",
  path: "/v1/waitlist",
  summary: "Apply to join the waitlist (an email that applied before keeps its first application)",
  request: body(WaitlistRequest),
  responses: { 201: json(WaitlistEntry, "Applied"), 422: authErrors[422], 429: errors[429] },
});

export function waitlistRoutes() {
  const router = createRouter();
  router.openapi(applyRoute, async (c) => {
    const address = requestAddress(c.req.header("x-forwarded-for"));
    return c.json(await apply(c.req.valid("json"), address), 201);
  });
  return router;
}
