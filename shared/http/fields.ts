/**
 * Request fields several domains share, validated the same way everywhere.
 * @module
 */
import { z } from "@hono/zod-openapi";

/** An email address, trimmed and lower-cased (as Supabase Auth stores it). */
export const Email = z.string().trim().toLowerCase().pipe(z.email().max(255)).openapi({ format: "email" });
