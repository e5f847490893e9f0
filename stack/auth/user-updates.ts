/**
 * Changes to auth.users and auth.identities, each bumping updated_at as GoTrue's UpdateOnly does.
 * @module
 */
import { type Db, jsonb } from "./db.ts";
import { newOpaqueToken } from "./tokens.ts";
import { internalError } from "./errors.ts";
import { insertIdentity, type LoadedUser, loadIdentities, loadUser, type UserRow } from "./users.ts";

type Json = Record<string, unknown>;

/** GoTrue's metadata merge: keys set to null are removed, others overwritten. */
export function mergeMetadata(current: Json | null, updates: Json): Json {
  const merged: Json = { ...(current ?? {}) };
  for (const [key, value] of Object.entries(updates)) {
    if (value === null) delete merged[key];
    else merged[key] = value;
  }
  return merged;
}

export async function setUserMetadata(db: Db, userId: string, metadata: Json): Promise<void> {
  await db`
    update auth.users set raw_user_meta_data = ${jsonb(db, metadata)}, updated_at = now()
    where id = ${userId}`;
}

export async function setAppMetadata(db: Db, userId: string, metadata: Json): Promise<void> {
  await db`
    update auth.users set raw_app_meta_data = ${jsonb(db, metadata)}, updated_at = now()
    where id = ${userId}`;
}

/** Marks the e-mail confirmed and records email_verified in user_metadata (GoTrue's Confirm). */
export async function confirmEmail(db: Db, userId: string): Promise<void> {
  await db`
    update auth.users set
      email_confirmed_at = now(), confirmation_token = '', updated_at = now(),
      raw_user_meta_data = coalesce(raw_user_meta_data, '{}'::jsonb) || '{"email_verified": true}'::jsonb
    where id = ${userId}`;
}

export async function confirmPhone(db: Db, userId: string): Promise<void> {
  await db`
    update auth.users set phone_confirmed_at = now(), confirmation_token = '', updated_at = now()
    where id = ${userId}`;
}

/** Records that a confirmation mail went out (there is no mailer locally). */
export async function markConfirmationSent(db: Db, userId: string): Promise<void> {
  await db`
    update auth.users set confirmation_token = ${newOpaqueToken()}, confirmation_sent_at = now(),
      updated_at = now()
    where id = ${userId}`;
}

/** Stores a new password hash and clears the one-time tokens it invalidates (UpdatePassword). */
export async function setPasswordHash(db: Db, userId: string, hash: string | null): Promise<void> {
  await db`
    update auth.users set
      encrypted_password = ${hash}, confirmation_token = '', confirmation_sent_at = null,
      recovery_token = '', recovery_sent_at = null, email_change_token_current = '',
      email_change_token_new = '', email_change_sent_at = null, phone_change_token = '',
      phone_change_sent_at = null, reauthentication_token = '', reauthentication_sent_at = null,
      updated_at = now()
    where id = ${userId}`;
}

export async function touchLastSignIn(db: Db, userId: string): Promise<void> {
  await db`update auth.users set last_sign_in_at = now(), updated_at = now() where id = ${userId}`;
}

export async function setRole(db: Db, userId: string, role: string): Promise<void> {
  await db`update auth.users set role = ${role.trim()}, updated_at = now() where id = ${userId}`;
}

/** Bans until now + duration; a zero duration lifts the ban. */
export async function setBan(db: Db, userId: string, durationMs: number): Promise<void> {
  const until = durationMs > 0 ? new Date(Date.now() + durationMs) : null;
  await db`update auth.users set banned_until = ${until}, updated_at = now() where id = ${userId}`;
}

/** A pending e-mail change, as if the confirmation mails had been sent. */
export async function requestEmailChange(db: Db, userId: string, newEmail: string): Promise<void> {
  await db`
    update auth.users set email_change = ${newEmail}, email_change_sent_at = now(),
      email_change_token_new = ${newOpaqueToken()}, email_change_token_current = ${newOpaqueToken()},
      email_change_confirm_status = 0, updated_at = now()
    where id = ${userId}`;
}

async function upsertIdentityData(db: Db, userId: string, provider: string, data: Json): Promise<void> {
  const [identity] = await db<{ id: string; identity_data: Json }[]>`
    select id, identity_data from auth.identities where provider_id = ${userId} and provider = ${provider}`;
  if (!identity) {
    await insertIdentity(db, userId, provider, { sub: userId, ...data });
    return;
  }
  await db`
    update auth.identities
    set identity_data = ${jsonb(db, mergeMetadata(identity.identity_data, data))}, updated_at = now()
    where id = ${identity.id}`;
}

/** The admin e-mail change: immediate, and mirrored in the e-mail identity. */
export async function setEmail(db: Db, userId: string, email: string, verified: boolean): Promise<void> {
  await upsertIdentityData(db, userId, "email", { email, email_verified: verified });
  await db`update auth.users set email = ${email}, updated_at = now() where id = ${userId}`;
}

/** The admin phone change: immediate, and mirrored in the phone identity. */
export async function setPhone(db: Db, userId: string, phone: string, verified: boolean): Promise<void> {
  await upsertIdentityData(db, userId, "phone", { phone, phone_verified: verified });
  await db`update auth.users set phone = ${phone}, updated_at = now() where id = ${userId}`;
}

export async function deleteUser(db: Db, userId: string): Promise<void> {
  await db`delete from auth.users where id = ${userId}`;
}

async function obfuscate(userId: string, value: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(userId + value));
  return btoa(String.fromCharCode(...new Uint8Array(digest)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * GoTrue's soft delete: e-mail and phone replaced by hashes, password and metadata cleared,
 * identities anonymised, deleted_at set (sessions are removed by the caller).
 */
export async function softDeleteUser(db: Db, user: UserRow): Promise<void> {
  const email = await obfuscate(user.id, user.email ?? "");
  const phone = (await obfuscate(user.id, user.phone ?? "")).slice(0, 15);
  const emailChange = await obfuscate(user.id, user.email_change ?? "");
  const phoneChange = (await obfuscate(user.id, user.phone_change ?? "")).slice(0, 15);
  await db`
    update auth.users set
      email = ${email}, phone = ${phone}, email_change = ${emailChange}, phone_change = ${phoneChange},
      encrypted_password = '', confirmation_token = '', recovery_token = '',
      email_change_token_current = '', email_change_token_new = '', phone_change_token = '',
      raw_user_meta_data = '{}'::jsonb, raw_app_meta_data = '{}'::jsonb,
      deleted_at = now(), updated_at = now()
    where id = ${user.id}`;
  for (const identity of await loadIdentities(db, user.id)) {
    const providerId = await obfuscate(user.id, `${identity.provider}:${identity.provider_id}`);
    await db`
      update auth.identities set identity_data = '{}'::jsonb, provider_id = ${providerId}, updated_at = now()
      where id = ${identity.id}`;
  }
}

/** Re-reads a user after changes (triggers may have touched the row too). */
export async function reload(db: Db, userId: string): Promise<LoadedUser> {
  const loaded = await loadUser(db, userId);
  if (!loaded) throw internalError("Database error loading user");
  return loaded;
}
