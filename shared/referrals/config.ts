/**
 * The referral domain's settings, validated once per isolate: whether sign-up requires an invite code
 * (`INVITE_REQUIRED`, default false) and the page an invite link opens (`REFERRAL_SHARE_BASE_URL`;
 * default the API's landing page on the public URL), to which `?invite_code=CODE` is added.
 * @module
 */
import { blankToUndefined, flag, httpUrl, Problems } from "../config/checks.ts";
import { config } from "../config/env.ts";

export interface ReferralConfig {
  inviteRequired: boolean;
  shareBaseUrl: string;
}

/** Validates an environment (tests pass their own); `publicUrl` is the project's public URL. */
export function parseReferralConfig(
  env: Record<string, string | undefined>,
  publicUrl: string,
): ReferralConfig {
  const problems = new Problems();
  const inviteRequired = flag(problems, "INVITE_REQUIRED", env.INVITE_REQUIRED, "false");
  const shareBaseUrl = shareBaseUrlOf(problems, env.REFERRAL_SHARE_BASE_URL);
  const first = problems.list[0];
  if (first) throw new Error(`Invalid configuration: ${first.name} ${first.message}.`);
  return {
    inviteRequired: inviteRequired === "true",
    shareBaseUrl: shareBaseUrl ?? `${publicUrl}/functions/v1/api`,
  };
}

/** An http(s) URL without a fragment; unset or empty: undefined. */
function shareBaseUrlOf(problems: Problems, raw: string | undefined): string | undefined {
  const name = "REFERRAL_SHARE_BASE_URL";
  const value = blankToUndefined(raw);
  if (value === undefined) return undefined;
  const checked = httpUrl(problems, name, value, "must be an http:// or https:// URL");
  if (checked.includes("#")) problems.add(name, "must have no fragment");
  return checked;
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
