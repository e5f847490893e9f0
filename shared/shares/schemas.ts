import { z } from "@hono/zod-openapi";

const Timestamp = z.string().openapi({ type: "string", format: "date-time" });

export const ShareLink = z.object({
  share_id: z.string().openapi({ description: "At least 128 random bits, base64url" }),
  url: z.url().openapi({ description: "The public page of the snapshot (JSON, or HTML for a browser)" }),
  created_at: Timestamp.openapi({ description: "When this snapshot was taken" }),
}).openapi("ShareLink");

export const SharedMessage = z.object({
  role: z.enum(["user", "assistant", "system"]),
  content: z.string(),
  created_at: Timestamp,
}).openapi("SharedMessage");

export const SharedChat = z.object({
  share_id: z.string(),
  title: z.string(),
  shared_at: Timestamp,
  messages: z.array(SharedMessage).openapi({ description: "Oldest first" }),
}).openapi("SharedChat");

export const ShareIdParams = z.object({
  share_id: z.string().max(200).openapi({ param: { name: "share_id", in: "path" } }),
});

export type ShareLink = z.infer<typeof ShareLink>;
export type SharedChat = z.infer<typeof SharedChat>;
