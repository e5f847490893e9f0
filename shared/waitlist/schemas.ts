import { z } from "@hono/zod-openapi";
import { Email } from "../http/fields.ts";
import { JsonObject } from "../http/json-object.ts";

/** The most metadata an application keeps, as compact JSON. */
export const MAX_WAITLIST_METADATA_BYTES = 4096;

const Text = (max: number) => z.string().trim().max(max);
const Link = z.url({ protocol: /^https?$/, error: "Must be an http(s) URL" }).max(2048);

export const WaitlistRequest = z.object({
  name: Text(120).min(1),
  email: Email,
  occupation: Text(120).nullish(),
  motivation: Text(800).nullish(),
  use_case: Text(800).nullish(),
  links: z.array(Link).max(10).nullish(),
  source: Text(120).nullish().openapi({ example: "app" }),
  metadata: JsonObject(MAX_WAITLIST_METADATA_BYTES, "At most 4 KB as JSON").nullish(),
}).openapi("WaitlistRequest");

export const WaitlistEntry = z.object({
  id: z.uuid(),
  full_name: z.string(),
  email: z.string(),
  source: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string().openapi({ format: "date-time" }),
}).openapi("WaitlistEntry");

export type WaitlistRequest = z.infer<typeof WaitlistRequest>;
export type WaitlistEntry = z.infer<typeof WaitlistEntry>;
