/**
 * The referral domain's settings, validated once per isolate: whether sign-up requires an invite code
 * (`INVITE_REQUIRED`, default false) and the page an invite link opens (`REFERRAL_SHARE_BASE_URL`;
 * default the API's landing page on the public URL), to which `?invite_code=CODE` is added.
 * @module
 */
import { z } from "zod";
import { config } from "../config/env.ts";

export interface ReferralConfig {
  inviteRequired: boolean;
  shareBaseUrl: string;
}

const Env = z.object({
  INVITE_REQUIRED: z.preprocess(
    (value) => value === "" ? undefined : value,
    z.enum(["true", "false"], { error: 'must be "true" or "false"' }).default("false"),
  ),
  REFERRAL_SHARE_BASE_URL: z.preprocess(
    (value) => value === "" ? undefined : value,
    z.url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
      .refine((url) => !url.includes("#"), "must have no fragment")
      .optional(),
  ),
});

/** Validates an environment (tests pass their own); `publicUrl` is the project's public URL. */
export function parseReferralConfig(
  env: Record<string, string | undefined>,
  publicUrl: string,
): ReferralConfig {
  const result = Env.safeParse(env);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new Error(`Invalid configuration: ${String(issue.path[0])} ${issue.message}.`);
  }
  return {
    inviteRequired: result.data.INVITE_REQUIRED === "true",
    shareBaseUrl: result.data.REFERRAL_SHARE_BASE_URL ?? `${publicUrl}/functions/v1/api`,
  };
}

let cached: ReferralConfig | undefined;

/** The isolate's referral settings, read from Deno.env on first use. */
export function referralConfig(): ReferralConfig {
  cached ??= parseReferralConfig(Deno.env.toObject(), config().publicUrl);
  return cached;
}

/** The link that opens sign-up with `code` filled in. */
export function inviteLink(code: string): string {
  const url = new URL(referralConfig().shareBaseUrl);
  url.searchParams.set("invite_code", code);
  return url.toString();
}
