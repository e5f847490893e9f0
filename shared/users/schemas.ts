import { z } from "@hono/zod-openapi";

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
  deletion_status: z.enum(["active", "pending"]),
  deletion_requested_at: NullableTimestamp,
  deletion_scheduled_for: NullableTimestamp,
  created_at: Timestamp,
  updated_at: Timestamp,
}).openapi("UserProfile");

const trimmed = (max: number) => z.string().trim().max(max);

export const UserProfileUpdate = z.object({
  full_name: trimmed(120).nullable().optional(),
  username: z.string().trim().min(1).max(40).regex(/^[A-Za-z0-9_.-]+$/, "Letters, digits, _ . - only")
    .nullable()
    .optional(),
  bio: trimmed(500).nullable().optional(),
  date_of_birth: z.iso.date().nullable().optional(),
  age: z.number().int().min(13).max(120).nullable().optional(),
  profession: trimmed(120).nullable().optional(),
  heard_from: trimmed(120).nullable().optional(),
  avatar_url: z.url().max(2048).nullable().optional(),
}).strict().openapi("UserProfileUpdate");

export const OnboardingDetails = z.object({
  primary_goal: z.string().max(500).nullable().optional(),
  interests: z.array(z.string().max(120)).max(50).optional(),
  experience_level: z.string().max(120).nullable().optional(),
  usage_frequency: z.string().max(120).nullable().optional(),
  other_notes: z.string().max(2000).nullable().optional(),
}).catchall(z.unknown());

export const OnboardingSurvey = UserProfileUpdate.extend({
  survey_completed: z.boolean().default(true),
  onboarding: OnboardingDetails.optional(),
  onboarding_responses: z.record(z.string(), z.unknown()).optional(),
}).strict().openapi("OnboardingSurvey");

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
}).openapi("UserExport");

export type UserProfile = z.infer<typeof UserProfile>;
export type UserProfileUpdate = z.infer<typeof UserProfileUpdate>;
export type OnboardingSurvey = z.infer<typeof OnboardingSurvey>;
