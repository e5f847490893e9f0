/**
 * Invite codes and the referral centre (API-LATER.md §2, §3): checking a code before signing up
 * (unauthenticated, limited per client address), the caller's code and invitations, sending one.
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { createRouter } from "../http/router.ts";
import { authErrors, body, errors, json, routeBuilder } from "../http/openapi.ts";
import { requestAddress } from "../limits/client-address.ts";
import {
  InviteCodeValidity,
  ReferralCentre,
  ReferralSent,
  SendReferralRequest,
  ValidateInviteRequest,
} from "./schemas.ts";
import * as referrals from "./service.ts";

const route = routeBuilder("referrals");
const open = routeBuilder("auth", { secured: false });

const validate = open({
  method: "post",
  path: "/v1/auth/invite-codes/validate",
  summary: "Whether an invite code can be used to sign up now",
  request: body(ValidateInviteRequest),
  responses: { 200: json(InviteCodeValidity, "The code's validity"), 422: authErrors[422], 429: errors[429] },
});

const list = route({
  method: "get",
  path: "/v1/referral/list",
  summary: "The caller's invite code (created on first use), link, invitations and counts",
  responses: { 200: json(ReferralCentre, "The referral centre"), ...authErrors },
});

const send = route({
  method: "post",
  path: "/v1/referral/send",
  summary: "Invite someone by email (sending again returns the pending invitation)",
  request: body(SendReferralRequest),
  responses: { 201: json(ReferralSent, "The invitation"), 429: errors[429], ...authErrors },
});

export function referralRoutes() {
  const router = createRouter();
  router.use("/v1/referral/*", requireUser());

  router.openapi(validate, async (c) => {
    const address = requestAddress(c.req.header("x-forwarded-for"));
    return c.json(await referrals.validateCode(c.req.valid("json").code, address), 200);
  });
  router.openapi(list, async (c) => c.json(await referrals.referralCentre(c.get("claims")), 200));
  router.openapi(send, async (c) => {
    return c.json(await referrals.sendReferral(c.get("claims"), c.req.valid("json")), 201);
  });
  return router;
}
