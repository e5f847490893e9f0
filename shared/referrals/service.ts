/**
 * Invite and referral codes (API-LATER.md §2, §3): validating a code, taking a use of one for a
 * sign-up (atomically, in Postgres: private.take_invite_code), the referral centre and sending an
 * invitation. The user's own code is created on first use (private.ensure_invite_code).
 * @module
 */
import type { UserClaims } from "../auth/claims.ts";
import { asServiceFor, asUser, serviceReader, type Tx } from "../db/client.ts";
import { ApiError, unprocessable } from "../errors/api-error.ts";
import { takeForAddress, takeForCaller } from "../limits/service.ts";
import { inviteLink, referralConfig } from "./config.ts";
import type { InviteCodeValidity, Referral, ReferralCentre, SendReferralRequest } from "./schemas.ts";

interface CodeRow {
  code: string;
  max_uses: number;
  uses_count: number;
  usable: boolean;
}

/** Whether `code` can be used now: for the sign-up screen, limited per client address. */
export async function validateCode(code: string, address: string): Promise<InviteCodeValidity> {
  await takeForAddress("invite_validation", address);
  const [row] = await serviceReader()((tx) =>
    tx<CodeRow[]>`
      select code, max_uses, uses_count, is_active and (expires_at is null or expires_at > now()) as usable
        from public.invite_codes where code = ${code}`
  );
  const remaining = row?.usable ? Math.max(row.max_uses - row.uses_count, 0) : 0;
  return { valid: remaining > 0, status: row?.usable ? "active" : "inactive", remaining_uses: remaining };
}

/** A use of a code taken for a sign-up in progress. */
export interface TakenCode {
  codeId: string;
}

const REFUSALS: Record<string, () => ApiError> = {
  not_found: () => new ApiError(404, "invite_code_not_found", "This invite code does not exist."),
  inactive: () => unprocessable("invite_code_inactive", "This invite code is no longer active."),
  exhausted: () => unprocessable("invite_code_exhausted", "This invite code has been used up."),
};

/**
 * Takes one use of the code sent with a sign-up (never past its `max_uses`, whatever runs at the same
 * time), or refuses the sign-up: unknown → 404, used up or switched off → 422; no code while the
 * project requires one → 403 `invite_required`.
 */
export async function takeCodeForSignUp(code: string | undefined): Promise<TakenCode | undefined> {
  if (code === undefined) {
    if (!referralConfig().inviteRequired) return undefined;
    throw new ApiError(
      403,
      "invite_required",
      "No invite code provided. Apply for an invite to continue.",
    );
  }
  const [taken] = await serviceReader()((tx) =>
    tx<
      { outcome: string; code_id: string | null }[]
    >`select outcome, code_id from private.take_invite_code(${code})`
  );
  if (taken.outcome !== "taken") throw REFUSALS[taken.outcome]();
  return { codeId: taken.code_id! };
}

/** Gives the use back: Auth refused the sign-up, or it made no new account. */
export async function releaseCode(taken: TakenCode): Promise<void> {
  await serviceReader()((tx) => tx`select private.release_invite_code(${taken.codeId})`);
}

/** Records the code on the new user's profile; the inviter hears of it once the email is confirmed. */
export async function recordSignUpCode(userId: string, taken: TakenCode): Promise<void> {
  await asServiceFor(userId, (tx) => tx`select private.record_sign_up_code(${userId}, ${taken.codeId})`);
}

/** The caller's own code (RLS: only their own is visible). */
const ownCode = (tx: Tx, userId: string) =>
  tx<Omit<CodeRow, "usable">[]>`
    select code, max_uses, uses_count from public.invite_codes where owner_id = ${userId}`;

/**
 * Creates the caller's code on its first use. It writes what the caller may not (a code's uses are the
 * server's), in a transaction of its own: never call this inside another (one connection per isolate).
 */
async function createCode(claims: UserClaims): Promise<Omit<CodeRow, "usable">> {
  const [created] = await asServiceFor(claims.sub, (tx) =>
    tx<Omit<CodeRow, "usable">[]>`
      select code, max_uses, uses_count from private.ensure_invite_code(${claims.sub})`);
  return created;
}

const shareMessage = (code: string, link: string) =>
  `Join me on PocketLLM with my invite code ${code}: ${link}`;

/** The referral centre: the caller's code, its link, their invitations (newest first) and the counts. */
export async function referralCentre(claims: UserClaims): Promise<ReferralCentre> {
  const [[code], referrals] = await asUser(claims, (tx) =>
    Promise.all([
      ownCode(tx, claims.sub),
      tx<Referral[]>`
        select id as referral_id, email, full_name, status, reward_status, created_at, accepted_at
          from public.referrals where inviter_id = ${claims.sub}
         order by created_at desc, id desc`,
    ]));
  const { code: text, max_uses, uses_count } = code ?? await createCode(claims);
  const link = inviteLink(text);
  const count = (test: (r: Referral) => boolean) => referrals.filter(test).length;
  return {
    invite_code: text,
    max_uses,
    uses_count,
    remaining_uses: Math.max(max_uses - uses_count, 0),
    invite_link: link,
    share_message: shareMessage(text, link),
    referrals,
    stats: {
      total_sent: referrals.length,
      total_joined: count((r) => r.status === "joined"),
      pending: count((r) => r.status === "pending"),
      rewards_issued: count((r) => r.reward_status === "issued"),
    },
  };
}

/**
 * Sends an invitation: one pending invitation per (caller, email), so sending again returns the
 * existing one. Inviting yourself → 422; at most `referral_sends` a day → 429.
 */
export async function sendReferral(claims: UserClaims, request: SendReferralRequest) {
  if (claims.email && claims.email.toLowerCase() === request.email) {
    throw unprocessable("cannot_invite_self", "email: you cannot invite yourself.");
  }
  // The caller's code is read in the invitation's own round trip; only its first use creates it after.
  const [row, own] = await asUser(claims, async (tx) => {
    const [, [inserted], [code]] = await Promise.all([
      takeForCaller(tx, "referral_sends"),
      tx<{ id: string; status: "pending" }[]>`
      insert into public.referrals (inviter_id, email, full_name, message)
      values (${claims.sub}, ${request.email}, ${request.full_name ?? null}, ${request.message ?? null})
      on conflict (inviter_id, email) where status = 'pending' do nothing
      returning id, status`,
      ownCode(tx, claims.sub),
    ]);
    const [row] = inserted ? [inserted] : await tx<{ id: string; status: "pending" }[]>`
      select id, status from public.referrals
       where inviter_id = ${claims.sub} and email = ${request.email} and status = 'pending'`;
    return [row, code] as const;
  });
  const code = own ?? await createCode(claims);
  return { referral_id: row.id, invite_code: code.code, status: row.status };
}
