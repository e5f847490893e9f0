import { z } from "@hono/zod-openapi";

export const NOTIFICATION_TYPES = [
  "job_completed",
  "job_failed",
  "account_deletion",
  "referral_bonus",
  "subscription_renewed",
] as const;

export const Notification = z.object({
  id: z.uuid(),
  user_id: z.uuid(),
  type: z.enum(NOTIFICATION_TYPES).openapi({
    description: "Clients show a generic icon for types they do not know",
  }),
  entity_id: z.uuid().nullable().openapi({
    description: "What it is about: a job's id, the new member's id",
  }),
  content_summary: z.string(),
  data: z.record(z.string(), z.unknown()).nullable(),
  is_read: z.boolean(),
  created_at: z.string().openapi({ format: "date-time" }),
}).openapi("Notification");

export const NotificationIdParams = z.object({
  id: z.uuid().openapi({ param: { name: "id", in: "path" } }),
});

export const UnreadCount = z.object({ count: z.number().int().min(0) }).openapi("UnreadCount");

export const AllMarkedRead = z.object({
  message: z.string(),
  updated: z.number().int().min(0),
}).openapi("AllMarkedRead");

const SWITCHES = {
  notify_job_status: "An image job completed or failed",
  notify_account_alerts: "Account alerts (a deletion being scheduled)",
  notify_referral_rewards: "Someone joined with your invite code",
  notify_product_updates: "Product news",
} as const;

export type PreferenceName = keyof typeof SWITCHES;
export const PREFERENCE_NAMES = Object.keys(SWITCHES) as PreferenceName[];

const switches = <T extends z.ZodType>(field: (description: string) => T) =>
  Object.fromEntries(Object.entries(SWITCHES).map(([name, text]) => [name, field(text)])) as Record<
    PreferenceName,
    T
  >;

export const NotificationPreferences = z.object(
  switches((text) => z.boolean().openapi({ description: text })),
)
  .openapi("NotificationPreferences");

export const NotificationPreferencesUpdate = z.object(
  switches((text) => z.boolean().optional().openapi({ description: text })),
).openapi("NotificationPreferencesUpdate");

export type Notification = z.infer<typeof Notification>;
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;
export type NotificationPreferencesUpdate = z.infer<typeof NotificationPreferencesUpdate>;
