/**
 * Usage (API.md "Usage"): the caller's replies, their tokens and cost, over a period, by day, model
 * or provider.
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { userReader } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { authErrors, json, routeBuilder } from "../http/openapi.ts";
import { UsageQuery, UsageReport } from "./schemas.ts";
import { usageReport } from "./service.ts";

const route = routeBuilder("usage");

const usage = route({
  method: "get",
  path: "/v1/usage",
  summary: "The caller's replies, tokens and cost over a period (default the last 30 days)",
  request: { query: UsageQuery },
  responses: { 200: json(UsageReport, "Totals and groups"), ...authErrors },
});

export function usageRoutes() {
  const router = createRouter();
  router.use("/v1/usage", requireUser());
  router.openapi(usage, async (c) => {
    const claims = c.get("claims");
    return c.json(await usageReport(userReader(claims), claims.sub, c.req.valid("query")), 200);
  });
  return router;
}
