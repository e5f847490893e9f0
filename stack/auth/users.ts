/**
 * auth.users and auth.identities rows: lookups, creation and GoTrue's JSON for a user.
 * @module
 */
import { type Db, jsonb } from "./db.ts";

type Json = Record<string, unknown>;

/** A row of auth.users (the columns GoTrue reads). */
export interface UserRow {
  id: string;
  aud: string | null;
  role: string | null;
  email: string | null;
  encrypted_password: string | null;
  email_confirmed_at: Date | null;
  invited_at: Date | null;
  phone: string | null;
  phone_confirmed_at: Date | null;
  confirmation_sent_at: Date | null;
  confirmed_at: Date | null;
  recovery_sent_at: Date | null;
  email_change: string | null;
  email_change_sent_at: Date | null;
  phone_change: string | null;
  phone_change_sent_at: Date | null;
  reauthentication_sent_at: Date | null;
  last_sign_in_at: Date | null;
  raw_app_meta_data: Json | null;
  raw_user_meta_data: Json | null;
  created_at: Date;
  updated_at: Date;
  banned_until: Date | null;
  deleted_at: Date | null;
  is_anonymous: boolean;
}

/** A row of auth.identities. */
export interface IdentityRow {
  id: string;
  provider_id: string;
  user_id: string;
  identity_data: Json;
  provider: string;
  last_sign_in_at: Date | null;
  created_at: Date;
  updated_at: Date;
  email: string | null;
}

/** A user with its identities, as GoTrue loads it (eagerly). */
export interface LoadedUser {
  user: UserRow;
  identities: IdentityRow[];
}

/** What a new auth.users row starts with. */
export interface NewUser {
  id?: string;
  aud: string;
  email: string | null;
  phone: string | null;
  passwordHash: string;
  appMetadata: Json;
  userMetadata: Json;
}

export const NIL_INSTANCE = "00000000-0000-0000-0000-000000000000";

export async function findUserRow(db: Db, id: string): Promise<UserRow | null> {
  const [row] = await db<UserRow[]>`select * from auth.users where id = ${id}`;
  return row ?? null;
}

export async function loadIdentities(db: Db, userId: string): Promise<IdentityRow[]> {
  return await db<IdentityRow[]>`
    select * from auth.identities where user_id = ${userId} order by created_at, id`;
}

export async function loadUser(db: Db, id: string): Promise<LoadedUser | null> {
  const user = await findUserRow(db, id);
  return user && { user, identities: await loadIdentities(db, id) };
}

/** A non-SSO user with this e-mail in this audience (FindUserByEmailAndAudience). */
export async function findUserByEmail(db: Db, email: string, aud: string): Promise<UserRow | null> {
  const [row] = await db<UserRow[]>`
    select * from auth.users
    where instance_id = ${NIL_INSTANCE} and lower(email) = ${email.toLowerCase()}
      and aud = ${aud} and is_sso_user = false
    limit 1`;
  return row ?? null;
}

export async function emailTaken(db: Db, email: string, aud: string, exceptId?: string): Promise<boolean> {
  const [row] = await db`
    select 1 from auth.users
    where lower(email) = ${email.toLowerCase()} and aud = ${aud} and is_sso_user = false
      and id <> ${exceptId ?? NIL_INSTANCE}
    limit 1`;
  return Boolean(row);
}

export async function phoneTaken(db: Db, phone: string, aud: string, exceptId?: string): Promise<boolean> {
  const [row] = await db`
    select 1 from auth.users
    where phone = ${phone} and aud = ${aud} and id <> ${exceptId ?? NIL_INSTANCE} limit 1`;
  return Boolean(row);
}

/**
 * Inserts the row the way GoTrue's pop model does: empty strings for the token columns and an
 * empty role, which GoTrue sets right after the insert (SetRole), so insert triggers see ''.
 */
export async function insertUser(db: Db, user: NewUser): Promise<UserRow> {
  const [row] = await db<UserRow[]>`
    insert into auth.users (
      instance_id, id, aud, role, email, phone, encrypted_password, raw_app_meta_data,
      raw_user_meta_data, confirmation_token, recovery_token, email_change_token_new, email_change,
      is_super_admin, is_sso_user, is_anonymous, created_at, updated_at
    ) values (
      ${NIL_INSTANCE}, ${user.id ?? crypto.randomUUID()}, ${user.aud}, '', ${user.email},
      ${user.phone}, ${user.passwordHash}, ${jsonb(db, user.appMetadata)},
      ${jsonb(db, user.userMetadata)}, '', '', '', '', false, false, false, now(), now()
    )
    returning *`;
  return row;
}

/** Adds an identity whose provider_id is the user's id (e-mail and phone identities). */
export async function insertIdentity(
  db: Db,
  userId: string,
  provider: string,
  identityData: Json,
): Promise<IdentityRow> {
  const [row] = await db<IdentityRow[]>`
    insert into auth.identities (
      id, provider_id, user_id, identity_data, provider, last_sign_in_at, created_at, updated_at
    ) values (
      ${crypto.randomUUID()}, ${userId}, ${userId}, ${jsonb(db, identityData)}, ${provider},
      now(), now(), now()
    )
    returning *`;
  return row;
}

/** A page of users, newest first, optionally filtered by e-mail or full name (FindUsersInAudience). */
export async function listUsers(
  db: Db,
  options: { aud: string; page: number; perPage: number; filter: string },
): Promise<{ users: LoadedUser[]; total: number }> {
  const like = `%${options.filter}%`;
  const matches = options.filter
    ? db`and (email ilike ${like} or raw_user_meta_data ->> 'full_name' ilike ${like})`
    : db``;
  const [{ count }] = await db`
    select count(*)::int as count from auth.users
    where instance_id = ${NIL_INSTANCE} and aud = ${options.aud} ${matches}`;
  const rows = await db<UserRow[]>`
    select * from auth.users
    where instance_id = ${NIL_INSTANCE} and aud = ${options.aud} ${matches}
    order by created_at desc, id desc
    limit ${options.perPage} offset ${(options.page - 1) * options.perPage}`;
  const users = await Promise.all(rows.map(async (user) => ({
    user,
    identities: await loadIdentities(db, user.id),
  })));
  return { users, total: count as number };
}

function timestamp(value: Date | null | undefined): string | undefined {
  return value ? value.toISOString() : undefined;
}

function identityJson(identity: IdentityRow): Json {
  return dropUndefined({
    identity_id: identity.id,
    id: identity.provider_id,
    user_id: identity.user_id,
    identity_data: identity.identity_data ?? undefined,
    provider: identity.provider,
    last_sign_in_at: timestamp(identity.last_sign_in_at),
    created_at: timestamp(identity.created_at),
    updated_at: timestamp(identity.updated_at),
    email: identity.email || undefined,
  });
}

function dropUndefined(object: Json): Json {
  return Object.fromEntries(Object.entries(object).filter(([, value]) => value !== undefined));
}

/** GoTrue's JSON for a user (models/user.go field order; `omitempty` fields left out when null). */
export function userJson({ user, identities }: LoadedUser): Json {
  return dropUndefined({
    id: user.id,
    aud: user.aud ?? "",
    role: user.role ?? "",
    email: user.email ?? "",
    email_confirmed_at: timestamp(user.email_confirmed_at),
    invited_at: timestamp(user.invited_at),
    phone: user.phone ?? "",
    phone_confirmed_at: timestamp(user.phone_confirmed_at),
    confirmation_sent_at: timestamp(user.confirmation_sent_at),
    confirmed_at: timestamp(user.confirmed_at),
    recovery_sent_at: timestamp(user.recovery_sent_at),
    new_email: user.email_change || undefined,
    email_change_sent_at: timestamp(user.email_change_sent_at),
    new_phone: user.phone_change || undefined,
    phone_change_sent_at: timestamp(user.phone_change_sent_at),
    reauthentication_sent_at: timestamp(user.reauthentication_sent_at),
    last_sign_in_at: timestamp(user.last_sign_in_at),
    app_metadata: user.raw_app_meta_data ?? {},
    user_metadata: user.raw_user_meta_data ?? {},
    identities: identities.map(identityJson),
    created_at: timestamp(user.created_at),
    updated_at: timestamp(user.updated_at),
    banned_until: timestamp(user.banned_until),
    deleted_at: timestamp(user.deleted_at),
    is_anonymous: user.is_anonymous,
  });
}

/** Whether a ban is in force (GoTrue's IsBanned). */
export function isBanned(user: UserRow): boolean {
  return user.banned_until !== null && user.banned_until.getTime() > Date.now();
}
