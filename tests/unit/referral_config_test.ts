import assert from "node:assert/strict";
import { parseReferralConfig } from "../../shared/referrals/config.ts";

const PUBLIC = "https://abc.supabase.co";

Deno.test("the invite gate is off and links open the API's landing page unless configured", () => {
  assert.deepEqual(parseReferralConfig({}, PUBLIC), {
    inviteRequired: false,
    shareBaseUrl: `${PUBLIC}/functions/v1/api`,
  });
  assert.deepEqual(
    parseReferralConfig({ INVITE_REQUIRED: "", REFERRAL_SHARE_BASE_URL: "" }, PUBLIC).inviteRequired,
    false,
  );
  const set = parseReferralConfig(
    { INVITE_REQUIRED: "true", REFERRAL_SHARE_BASE_URL: "https://pocketllm.example/join?src=app" },
    PUBLIC,
  );
  assert.deepEqual(set, { inviteRequired: true, shareBaseUrl: "https://pocketllm.example/join?src=app" });
});

Deno.test("a malformed invite setting stops the function at boot, naming it", () => {
  assert.throws(() => parseReferralConfig({ INVITE_REQUIRED: "yes" }, PUBLIC), /INVITE_REQUIRED/);
  assert.throws(
    () => parseReferralConfig({ REFERRAL_SHARE_BASE_URL: "ftp://x" }, PUBLIC),
    /REFERRAL_SHARE_BASE_URL/,
  );
  assert.throws(
    () => parseReferralConfig({ REFERRAL_SHARE_BASE_URL: "https://x/#a" }, PUBLIC),
    /REFERRAL_SHARE_BASE_URL/,
  );
});
