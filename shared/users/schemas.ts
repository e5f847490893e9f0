import { z } from "@hono/zod-openapi";
import { JsonObject } from "../http/json-object.ts";

const Timestamp = z.iso.datetime({ offset: true }).or(z.date()).openapi({
  type: "string",
  format: "date-time",
});
const NullableTimestamp = Timestamp.nullable();

export const UserProfile = z.object({
  id: z.uuid(),
  email: z.string().nullable(),
  full_name: z.string().nullable(),
  username: z.string().nullable(),
  bio: z.string().nullable(),
  date_of_birth: z.string().nullable().openapi({ format: "date" }),
  age: z.number().int().nullable(),
  profession: z.string().nullable(),
  heard_from: z.string().nullable(),
  avatar_url: z.string().nullable(),
  survey_completed: z.boolean(),
  onboarding_responses: z.record(z.string(), z.unknown()),
  onboarding: z.record(z.string(), z.unknown()).openapi({
    description: "The same object as onboarding_responses (the app reads this name)",
  }),
  preferences: z.record(z.string(), z.unknown()).openapi({
    description: "The app's settings; `{}` by default",
  }),
  invite_code: z.string().nullable().openapi({ description: "The user's own invite code, once created" }),
  referral_code: z.string().nullable().openapi({ description: "The code the user signed up with" }),
  referred_by: z.uuid().nullable().openapi({ description: "The owner of that code" }),
  deletion_status: z.enum(["active", "pending"]),
  deletion_requested_at: NullableTimestamp,
  deletion_scheduled_for: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi("UserProfile");

const trimmed = (max: number) => z.string().trim().max(max);

/** The most a stored JSON object (preferences, onboarding answers) may take, as JSON text. */
export const MAX_JSON_OBJECT_BYTES = 16 * 1024;

const UserJson = (description: string) => JsonObject(MAX_JSON_OBJECT_BYTES, description);

export const MAX_USERNAME_CHARS = 40;

/**
 * As the app allows them: any printable characters, spaces included ("Mobile Tester"), at most 40
 * after trimming (counted as Unicode characters, as Postgres counts them); blank clears it.
 */
const Username = z.string().trim()
  .refine((name) => [...name].length <= MAX_USERNAME_CHARS, {
    message: `at most ${MAX_USERNAME_CHARS} characters`,
  })
  .refine((name) => !/\p{Cc}/u.test(name), { message: "must not contain control characters" })
  .transform((name) => name === "" ? null : name)
  .openapi({ maxLength: MAX_USERNAME_CHARS, description: "Unique regardless of case" });

export const OnboardingDetails = z.object({
  primary_goal: z.string().max(500).nullable().optional(),
  interests: z.array(z.string().max(120)).max(50).optional(),
  experience_level: z.string().max(120).nullable().optional(),
  usage_frequency: z.string().max(120).nullable().optional(),
  other_notes: z.string().max(2000).nullable().optional(),
}).catchall(z.unknown()).pipe(UserJson("The survey's answers, or any object (e.g. `{language}`)"));

export const UserProfileUpdate = z.object({
  full_name: trimmed(120).nullable().optional(),
  username: Username.nullable().optional(),
  bio: trimmed(500).nullable().optional(),
  date_of_birth: z.iso.date().nullable().optional(),
  age: z.number().int().min(13).max(120).nullable().optional(),
  profession: trimmed(120).nullable().optional(),
  heard_from: trimmed(120).nullable().optional(),
  avatar_url: z.url().max(2048).nullable().optional(),
  onboarding: OnboardingDetails.optional().openapi({
    description: "Merged one level deep into onboarding_responses (the keys sent replace the stored ones)",
  }),
  preferences: UserJson(
    "The app's settings (≤ 16 KB), merged one level deep: the keys sent replace the stored ones",
  ).optional(),
}).openapi("UserProfileUpdate");

export const OnboardingSurvey = UserProfileUpdate.extend({
  survey_completed: z.boolean().default(true),
  onboarding_responses: UserJson("The survey's answers; wins over `onboarding`").optional(),
}).openapi("OnboardingSurvey");

/** POST /v1/users/profile/deletion: an older app build sends its own dates; the server chooses them. */
export const DeletionRequest = z.object({
  requested_at: z.string().max(64).nullish().openapi({ description: "Ignored" }),
  scheduled_for: z.string().max(64).nullish().openapi({ description: "Ignored" }),
}).openapi("DeletionRequest");

export const DeletionQuery = z.object({
  immediate: z.enum(["true", "false", "1", "0"]).optional()
    .transform((value) => value === "true" || value === "1")
    .openapi({ description: "true: erase the account now instead of in 30 days" }),
});

export const AccountErased = z.object({
  status: z.literal("deleted"),
  deleted_at: Timestamp,
}).openapi("AccountErased");

export const DeletionScheduled = z.object({
  status: z.literal("pending"),
  deletion_requested_at: Timestamp,
  deletion_scheduled_for: Timestamp,
}).openapi("DeletionScheduled");

export const DeletionCanceled = z.object({
  canceled: z.boolean(),
  profile: UserProfile,
  previous_deletion_requested_at: NullableTimestamp,
  previous_deletion_scheduled_for: NullableTimestamp,
}).openapi("DeletionCanceled");

export const UserIdParams = z.object({
  user_id: z.uuid().openapi({ param: { name: "user_id", in: "path" } }),
});

export const UserExport = z.object({
  exported_at: Timestamp,
  profile: UserProfile,
  providers: z.array(z.record(z.string(), z.unknown())),
  model_configs: z.array(z.record(z.string(), z.unknown())),
  chats: z.array(z.record(z.string(), z.unknown())),
  jobs: z.array(z.record(z.string(), z.unknown())),
  referrals: z.array(z.record(z.string(), z.unknown())),
  notifications: z.array(z.record(z.string(), z.unknown())),
  notification_preferences: z.record(z.string(), z.unknown()).nullable(),
}).openapi("UserExport");

export type UserProfile = z.infer<typeof UserProfile>;
export type UserProfileUpdate = z.infer<typeof UserProfileUpdate>;
export type OnboardingSurvey = z.infer<typeof OnboardingSurvey>;
export type DeletionRequest = z.infer<typeof DeletionRequest>;
