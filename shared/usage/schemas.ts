import { z } from "@hono/zod-openapi";

const Instant = z.union([z.iso.datetime({ offset: true }), z.iso.date()]);

export const UsageQuery = z.object({
  from: Instant.optional().openapi({ description: "Start (inclusive); default `to` minus 30 days" }),
  to: Instant.optional().openapi({ description: "End (exclusive); default now" }),
  group_by: z.enum(["day", "model", "provider"]).default("day")
    .openapi({ description: "`day` (UTC, YYYY-MM-DD), `model` or `provider`" }),
});

const Totals = {
  requests: z.number().int(),
  prompt_tokens: z.number().int(),
  completion_tokens: z.number().int(),
  cost_usd: z.number().openapi({ description: "Of the replies whose model's price is known" }),
};

export const UsageReport = z.object({
  from: z.string().openapi({ format: "date-time" }),
  to: z.string().openapi({ format: "date-time" }),
  totals: z.object(Totals),
  groups: z.array(z.object({ key: z.string(), ...Totals })),
}).openapi("UsageReport");

export type UsageQuery = z.infer<typeof UsageQuery>;
export type UsageReport = z.infer<typeof UsageReport>;
export type GroupBy = UsageQuery["group_by"];
