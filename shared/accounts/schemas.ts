import { z } from "@hono/zod-openapi";
import { acceptingAliases } from "../http/aliases.ts";
import { Email } from "../http/fields.ts";
import { InviteCode } from "../referrals/schemas.ts";

export const SignUpRequest = z.object({
  email: Email,
  // GoTrue hashes with bcrypt, which reads at most 72 bytes.
  password: z.string().min(8).max(72),
  full_name: z.string().trim().max(120).optional(),
  name: z.string().trim().max(120).optional(),
  invite_code: InviteCode.optional(),
  referral_code: InviteCode.optional().openapi({
    description: "Alias of `invite_code`, which wins when both are sent",
  }),
}).openapi("SignUpRequest");

export const SignInRequest = z.object({ email: Email, password: z.string().min(1).max(72) }).openapi(
  "SignInRequest",
);
export const RefreshRequest = z.object({ refresh_token: z.string().min(1).max(512) }).openapi(
  "RefreshRequest",
);
/** GoTrue hashes with bcrypt, which reads at most 72 bytes. */
const Password = (min: number) => z.string().trim().min(min).max(72);

export const PasswordChangeRequest = acceptingAliases(
  z.object({ old: Password(1), new: Password(8) }),
  { old_password: "old", new_password: "new" },
).superRefine((value, ctx) => {
  if (value.new === value.old) {
    ctx.addIssue({ code: "custom", path: ["new"], message: "must differ from the old password" });
  }
}).openapi("PasswordChangeRequest");

export const PasswordChangeResponse = z.object({ changed: z.literal(true) }).openapi(
  "PasswordChangeResponse",
);

export const MagicLinkRequest = z.object({ email: Email }).openapi("MagicLinkRequest");
export const OtpRequest = z.object({ phone: z.string().trim().min(8).max(32) }).openapi("OtpRequest");
export const OAuthRequest = z.object({ provider: z.string().trim().min(1).max(64) }).openapi("OAuthRequest");

const Timestamp = z.string().openapi({ format: "date-time" });

export const AuthUser = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  full_name: z.string().nullable(),
  created_at: Timestamp,
  last_sign_in_at: Timestamp.nullable(),
}).openapi("AuthUser");

export const AuthTokens = z.object({
  access_token: z.string(),
  refresh_token: z.string(),
  token_type: z.literal("bearer"),
  expires_in: z.number().int(),
}).openapi("AuthTokens");

export const AuthSession = z.object({
  session_id: z.string().nullable(),
  expires_at: Timestamp,
  refresh_expires_at: Timestamp.nullable().openapi({
    description: "Null: Supabase refresh tokens do not expire by time",
  }),
}).openapi("AuthSession");

export const AccountStatus = z.object({
  deletion_scheduled: z.boolean(),
  deletion_scheduled_for: Timestamp.nullable(),
  deletion_requested_at: Timestamp.nullable(),
  deletion_canceled: z.boolean(),
  previous_deletion_requested_at: Timestamp.nullable(),
  previous_deletion_scheduled_for: Timestamp.nullable(),
}).openapi("AccountStatus");

export const SignUpResponse = z.object({
  user: AuthUser,
  tokens: AuthTokens.nullable(),
  session: AuthSession.nullable(),
  account_status: AccountStatus,
}).openapi("SignUpResponse");

export const SignInResponse = z.object({
  user: AuthUser,
  tokens: AuthTokens,
  session: AuthSession,
  account_status: AccountStatus,
}).openapi("SignInResponse");

export const RefreshResponse = z.object({ tokens: AuthTokens, session: AuthSession }).openapi(
  "RefreshResponse",
);
export const SignOutResponse = z.object({ revoked_sessions: z.number().int() }).openapi("SignOutResponse");

export const ComingSoon = z.object({
  feature: z.string(),
  status: z.literal("coming_soon"),
  message: z.string(),
}).openapi("ComingSoon");

export type AccountStatus = z.infer<typeof AccountStatus>;
export type AuthUser = z.infer<typeof AuthUser>;
export type AuthTokens = z.infer<typeof AuthTokens>;
export type AuthSession = z.infer<typeof AuthSession>;
