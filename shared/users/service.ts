/**
 * Profiles: read, update, onboarding, the account-deletion schedule and the data export. Every
 * function takes the caller's transaction (RLS applies); the `id` filters are a second guard.
 * @module
 */
import type postgres from "postgres";
import type { Tx } from "../db/client.ts";
import { unprocessable } from "../errors/api-error.ts";
import {
  MAX_JSON_OBJECT_BYTES,
  type OnboardingSurvey,
  type UserProfile,
  type UserProfileUpdate,
} from "./schemas.ts";

/** Deleted accounts are kept this long before the purge removes them. */
export const DELETION_GRACE_DAYS = 30;

const PROFILE_COLUMNS = [
  "id",
  "email",
  "full_name",
  "username",
  "bio",
  "date_of_birth",
  "age",
  "profession",
  "heard_from",
  "avatar_url",
  "survey_completed",
  "onboarding_responses",
  "onboarding_responses as onboarding",
  "preferences",
  "invite_code",
  "referral_code",
  "referred_by",
  "deletion_status",
  "deletion_requested_at",
  "deletion_scheduled_for",
  "created_at",
  "updated_at",
] as const;

function profileColumns(tx: Tx) {
  return tx.unsafe(PROFILE_COLUMNS.map((c) => c === "date_of_birth" ? `${c}::text` : c).join(", "));
}

/** The caller's profile, created on the spot if the sign-up trigger did not (e.g. older users). */
/** The statement reading the user's profile row (none yet for an account made outside the API). */
export const profileRow = (tx: Tx, userId: string) =>
  tx<UserProfile[]>`select ${profileColumns(tx)} from public.profiles where id = ${userId}`;

export async function getProfile(tx: Tx, userId: string): Promise<UserProfile> {
  const [existing] = await profileRow(tx, userId);
  if (existing) return existing;
  const [created] = await tx<UserProfile[]>`
    insert into public.profiles (id) values (${userId})
    on conflict (id) do update set id = excluded.id
    returning ${profileColumns(tx)}`;
  return created;
}

/** A refused update the caller can fix, as a 422 with its code (never a 409 or a 500). */
function refusedUpdate(error: unknown): unknown {
  const e = error as { code?: string; constraint_name?: string };
  if (e.code === "23505" && (e.constraint_name ?? "").includes("username")) {
    return unprocessable("username_taken", "This username is already taken.");
  }
  if (e.code === "23514" && e.constraint_name === "profiles_preferences_size") {
    return unprocessable(
      "preferences_too_large",
      `preferences: at most ${MAX_JSON_OBJECT_BYTES / 1024} KB as JSON once merged with the stored ones.`,
    );
  }
  return error;
}

type Columns = Record<string, postgres.ParameterOrJSON<never>>;
type JsonObject = Record<string, unknown>;

/** The plain columns to set, and the objects merged one level deep into the jsonb columns. */
interface ProfileChanges {
  fields: Columns;
  onboarding?: JsonObject;
  preferences?: JsonObject;
}

async function applyChanges(tx: Tx, userId: string, { fields, onboarding, preferences }: ProfileChanges) {
  const columns = Object.keys(fields);
  if (columns.length === 0 && !onboarding && !preferences) return await getProfile(tx, userId);
  await getProfile(tx, userId);
  // `||` merges in the statement itself, so two concurrent updates never lose each other's keys.
  const merges = tx`
    onboarding_responses = onboarding_responses || ${tx.json((onboarding ?? {}) as postgres.JSONValue)},
    preferences = preferences || ${tx.json((preferences ?? {}) as postgres.JSONValue)}`;
  try {
    const [profile] = columns.length > 0
      ? await tx<UserProfile[]>`
          update public.profiles set ${tx(fields, columns)}, ${merges}
          where id = ${userId} returning ${profileColumns(tx)}`
      : await tx<UserProfile[]>`
          update public.profiles set ${merges} where id = ${userId} returning ${profileColumns(tx)}`;
    return profile;
  } catch (error) {
    throw refusedUpdate(error);
  }
}

/** Changes only the fields that were sent; `onboarding` and `preferences` are merged one level deep. */
export function updateProfile(tx: Tx, userId: string, update: UserProfileUpdate): Promise<UserProfile> {
  const { onboarding, preferences, ...fields } = update;
  return applyChanges(tx, userId, { fields: fields as Columns, onboarding, preferences });
}

/** Stores the survey answers (`onboarding_responses` wins over `onboarding`, merged like an update). */
export function completeOnboarding(tx: Tx, userId: string, survey: OnboardingSurvey): Promise<UserProfile> {
  const { onboarding, onboarding_responses, preferences, ...fields } = survey;
  return applyChanges(tx, userId, {
    fields: fields as Columns,
    onboarding: onboarding_responses ?? onboarding,
    preferences,
  });
}

/** Schedules the account's deletion; asking again keeps the first schedule. */
export async function scheduleDeletion(tx: Tx, userId: string) {
  await getProfile(tx, userId);
  const [row] = await tx<{ deletion_requested_at: string; deletion_scheduled_for: string }[]>`
    update public.profiles
    set deletion_status = 'pending',
        deletion_requested_at = coalesce(deletion_requested_at, now()),
        deletion_scheduled_for = coalesce(deletion_scheduled_for, now() + make_interval(days => ${DELETION_GRACE_DAYS}))
    where id = ${userId}
    returning deletion_requested_at, deletion_scheduled_for`;
  return { status: "pending" as const, ...row };
}

interface PendingDeletion {
  deletion_requested_at: string;
  deletion_scheduled_for: string;
}

/**
 * Cancels a pending deletion in one statement; answers its schedule, or undefined when there was none.
 * (The CTE reads the row as it was before the update.)
 */
export async function cancelPendingDeletion(tx: Tx, userId: string): Promise<PendingDeletion | undefined> {
  const [previous] = await tx<PendingDeletion[]>`
    with pending as (
      select id, deletion_requested_at, deletion_scheduled_for from public.profiles
      where id = ${userId} and deletion_status = 'pending'
      for update
    )
    update public.profiles p
    set deletion_status = 'active', deletion_requested_at = null, deletion_scheduled_for = null
    from pending
    where p.id = pending.id
    returning pending.deletion_requested_at, pending.deletion_scheduled_for`;
  return previous;
}

/** Cancels a pending deletion; says whether there was one and when it had been scheduled. */
export async function cancelDeletion(tx: Tx, userId: string) {
  await getProfile(tx, userId);
  const previous = await cancelPendingDeletion(tx, userId);
  return {
    canceled: previous !== undefined,
    profile: await getProfile(tx, userId),
    previous_deletion_requested_at: previous?.deletion_requested_at ?? null,
    previous_deletion_scheduled_for: previous?.deletion_scheduled_for ?? null,
  };
}

type Rows = Record<string, unknown>[];
interface ExportedRows {
  providers: Rows;
  model_configs: Rows;
  chats: Rows;
  jobs: Rows;
  referrals: Rows;
  notifications: Rows;
  notification_preferences: Record<string, unknown> | null;
  shares: Rows;
}

/** Everything the caller owns, as one JSON document (provider keys never included: they live in Vault). */
export async function exportData(tx: Tx, userId: string) {
  const profile = await getProfile(tx, userId);
  const [data] = await tx<ExportedRows[]>`
    select
      (select coalesce(jsonb_agg(to_jsonb(p) - 'vault_secret_id' - 'api_key_hash' order by p.created_at), '[]')
         from public.providers p where p.user_id = ${userId}) as providers,
      (select coalesce(jsonb_agg(to_jsonb(m) order by m.created_at), '[]')
         from public.model_configs m where m.user_id = ${userId}) as model_configs,
      (select coalesce(jsonb_agg(to_jsonb(c) || jsonb_build_object('messages', (
          select coalesce(jsonb_agg(to_jsonb(msg) order by msg.created_at), '[]')
          from public.messages msg where msg.chat_id = c.id)) order by c.created_at), '[]')
         from public.chats c where c.user_id = ${userId}) as chats,
      (select coalesce(jsonb_agg(to_jsonb(j) - 'lease_token' order by j.created_at), '[]')
         from public.jobs j where j.user_id = ${userId}) as jobs,
      (select coalesce(jsonb_agg(to_jsonb(r) order by r.created_at), '[]')
         from public.referrals r where r.inviter_id = ${userId}) as referrals,
      (select coalesce(jsonb_agg(to_jsonb(n) order by n.created_at), '[]')
         from public.notifications n where n.user_id = ${userId}) as notifications,
      (select to_jsonb(np) from public.notification_preferences np where np.user_id = ${userId})
        as notification_preferences,
      (select coalesce(jsonb_agg(to_jsonb(s) - 'user_id' order by s.created_at), '[]')
         from public.chat_shares s where s.user_id = ${userId}) as shares`;
  return { exported_at: new Date(), profile, ...data };
}
