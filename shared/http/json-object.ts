import { z } from "@hono/zod-openapi";

const encoder = new TextEncoder();

/** A JSON object of any keys, at most `maxBytes` as JSON text (preferences, metadata, answers). */
export function JsonObject(maxBytes: number, description: string) {
  return z.record(z.string(), z.unknown())
    .refine((value) => encoder.encode(JSON.stringify(value)).length <= maxBytes, {
      message: `at most ${maxBytes / 1024} KB as JSON`,
    })
    .openapi({ description });
}
