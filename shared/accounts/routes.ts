/**
 * Accounts (the API's `/v1/auth/...` routes): sign-up, sign-in, refresh, sign-out and password change
 * through Supabase Auth, and the sign-in methods that are announced but not offered yet (202 placeholders). Verifying
 * the tokens these hand out is `auth/`'s job.
 * @module
 */
import { createRouter } from "../http/router.ts";
import { authErrors, bearer, body, errors, json, routeBuilder } from "../http/openapi.ts";
import { bearerToken, requireUser } from "../auth/middleware.ts";
import {
  ComingSoon,
  MagicLinkRequest,
  OAuthRequest,
  OtpRequest,
  PasswordChangeRequest,
  PasswordChangeResponse,
  RefreshRequest,
  RefreshResponse,
  SignInRequest,
  SignInResponse,
  SignOutResponse,
  SignUpRequest,
  SignUpResponse,
} from "./schemas.ts";
import { requestAddress } from "../limits/client-address.ts";
import * as auth from "./service.ts";
import { changePassword } from "./password.ts";

const route = routeBuilder("auth", { secured: false });

const signUp = route({
  method: "post",
  path: "/v1/auth/signup",
  summary: "Create an account (tokens are null when the project requires email confirmation)",
  request: body(SignUpRequest),
  responses: { 200: json(SignUpResponse, "Signed up"), 429: errors[429], ...authErrors },
});

const signIn = route({
  method: "post",
  path: "/v1/auth/signin",
  summary: "Sign in with email and password (cancels a pending account deletion)",
  request: body(SignInRequest),
  responses: { 200: json(SignInResponse, "Signed in"), 429: errors[429], ...authErrors },
});

const refresh = route({
  method: "post",
  path: "/v1/auth/refresh",
  summary: "Exchange a refresh token for new tokens",
  request: body(RefreshRequest),
  responses: { 200: json(RefreshResponse, "New tokens"), ...authErrors },
});

const signOut = route({
  method: "post",
  path: "/v1/auth/signout",
  summary: "End the current session",
  security: bearer,
  responses: { 200: json(SignOutResponse, "Signed out"), ...authErrors },
});

const passwordChange = route({
  method: "post",
  path: "/v1/auth/password/change",
  summary: "Change the password (the current one is checked; the other sessions are signed out)",
  security: bearer,
  request: body(PasswordChangeRequest),
  responses: {
    200: json(PasswordChangeResponse, "Changed"),
    400: errors[400],
    429: errors[429],
    ...authErrors,
  },
});

const comingSoon = (
  path: string,
  request: typeof MagicLinkRequest | typeof OtpRequest | typeof OAuthRequest,
) =>
  route({
    method: "post",
    path,
    summary: "Not offered yet",
    request: body(request),
    responses: { 202: json(ComingSoon, "Announced, not offered yet"), 422: authErrors[422] },
  });

export function accountRoutes() {
  const router = createRouter();
  router.use("/v1/auth/signout", requireUser());
  router.use("/v1/auth/password/change", requireUser());

  router.openapi(signUp, async (c) => {
    const { email, password, full_name, name, invite_code, referral_code } = c.req.valid("json");
    const address = requestAddress(c.req.header("x-forwarded-for"));
    const signUp = { email, password, fullName: full_name ?? name, inviteCode: invite_code ?? referral_code };
    return c.json(await auth.signUp(signUp, address), 200);
  });
  router.openapi(signIn, async (c) => {
    const { email, password } = c.req.valid("json");
    return c.json(await auth.signIn(email, password, requestAddress(c.req.header("x-forwarded-for"))), 200);
  });
  router.openapi(refresh, async (c) => {
    return c.json(await auth.refresh(c.req.valid("json").refresh_token), 200);
  });
  router.openapi(signOut, async (c) => {
    return c.json(await auth.signOut(bearerToken(c.req.header("authorization"))!), 200);
  });
  router.openapi(passwordChange, async (c) => {
    const { old, new: next } = c.req.valid("json");
    const token = bearerToken(c.req.header("authorization"))!;
    const address = requestAddress(c.req.header("x-forwarded-for"));
    return c.json(await changePassword(c.get("claims"), token, old, next, address), 200);
  });

  router.openapi(comingSoon("/v1/auth/signin/magic-link", MagicLinkRequest), (c) =>
    c.json({
      feature: "magic_link",
      status: "coming_soon" as const,
      message: "Magic-link sign-in is coming soon. Sign in with your email and password for now.",
    }, 202));
  router.openapi(comingSoon("/v1/auth/signin/otp", OtpRequest), (c) =>
    c.json({
      feature: "sms_otp",
      status: "coming_soon" as const,
      message: "SMS one-time codes are coming soon. Sign in with your email and password for now.",
    }, 202));
  router.openapi(comingSoon("/v1/auth/signin/oauth", OAuthRequest), (c) => {
    const provider = (c.req.valid("json") as { provider: string }).provider.toLowerCase();
    return c.json({
      feature: `oauth:${provider}`,
      status: "coming_soon" as const,
      message: `Sign-in with ${provider} is coming soon. Sign in with your email and password for now.`,
    }, 202);
  });
  return router;
}
