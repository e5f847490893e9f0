import { z } from "@hono/zod-openapi";
import { Email } from "../http/fields.ts";

/** An invite or referral code as sent: trimmed, compared upper-cased. */
export const InviteCode = z.string().trim().min(1).max(64).toUpperCase().openapi({
  example: "POCKET-7K2Q9X",
});

export const ValidateInviteRequest = z.object({ code: InviteCode }).openapi("ValidateInviteRequest");

export const InviteCodeValidity = z.object({
  valid: z.boolean(),
  status: z.enum(["active", "inactive"]),
  remaining_uses: z.number().int().min(0),
}).openapi("InviteCodeValidity");

const Timestamp = z.string().openapi({ format: "date-time" });

export const Referral = z.object({
  referral_id: z.uuid(),
  email: z.string(),
  full_name: z.string().nullable(),
  status: z.enum(["pending", "joined", "rejected"]),
  reward_status: z.enum(["pending", "issued", "none"]),
  created_at: Timestamp,
  accepted_at: Timestamp.nullable(),
}).openapi("Referral");

export const ReferralStats = z.object({
  total_sent: z.number().int(),
  total_joined: z.number().int(),
  pending: z.number().int(),
  rewards_issued: z.number().int(),
}).openapi("ReferralStats");

export const ReferralCentre = z.object({
  invite_code: z.string(),
  max_uses: z.number().int(),
  uses_count: z.number().int(),
  remaining_uses: z.number().int().min(0),
  invite_link: z.string(),
  share_message: z.string(),
  referrals: Referral.array().openapi({ description: "Newest first" }),
  stats: ReferralStats,
}).openapi("ReferralCentre");

export const SendReferralRequest = z.object({
  email: Email,
  full_name: z.string().trim().max(120).nullable().optional(),
  message: z.string().trim().max(500).nullable().optional(),
}).openapi("SendReferralRequest");

export const ReferralSent = z.object({
  referral_id: z.uuid(),
  invite_code: z.string(),
  status: z.enum(["pending", "joined", "rejected"]),
}).openapi("ReferralSent");

export type InviteCodeValidity = z.infer<typeof InviteCodeValidity>;
export type Referral = z.infer<typeof Referral>;
export type ReferralCentre = z.infer<typeof ReferralCentre>;
export type SendReferralRequest = z.infer<typeof SendReferralRequest>;
