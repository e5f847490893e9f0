/**
 * Small builders for route definitions, so each route states only what is its own.
 * @module
 */
import { createRoute, z } from "@hono/zod-openapi";

export const ErrorEnvelope = z.object({
  detail: z.unknown().openapi({ description: "A sentence, or for 422 a list of {loc, msg, type}" }),
  message: z.string().openapi({
    description: "A sentence a person can read; for a 422 the first failing field and why",
  }),
  code: z.string(),
  request_id: z.string().nullable(),
}).openapi("Error");

/** A JSON response of `schema`. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}

/** Said of every request body: the app sends fields the contract does not name. */
export const UNKNOWN_FIELDS_IGNORED =
  "Fields not listed here are ignored; the listed ones are validated strictly.";

/** A required JSON request body (required, so a body without a JSON content type is refused, not `{}`). */
export function body<T extends z.ZodType>(schema: T) {
  return {
    body: {
      description: UNKNOWN_FIELDS_IGNORED,
      content: { "application/json": { schema } },
      required: true,
    },
  };
}

/**
 * A required `multipart/form-data` body, for the document only: its schema is plain JSON Schema, not
 * zod, so no validator buffers the body — the route reads it as it streams (http/upload.ts).
 */
export function multipartBody(description: string, fields: Record<string, Record<string, unknown>>) {
  const schema = { type: "object" as const, properties: fields, required: ["file"] };
  return {
    body: {
      description: `${description}. Other form fields are ignored.`,
      content: { "multipart/form-data": { schema } },
      required: true,
    },
  };
}

const error = (description: string) => json(ErrorEnvelope, description);

/** The error responses every authenticated route can give. */
export const authErrors = {
  401: error("Missing, expired or invalid access token"),
  422: error("Invalid input"),
} as const;

export const errors = {
  400: error("Bad request"),
  403: error("Forbidden"),
  404: error("Not found"),
  413: error("Too large: the sentence says the limit; nothing was stored"),
  415: error("Not a type this route accepts (decided by the file's bytes); nothing was stored"),
  /** The user's own provider failed (never 5xx: the app re-sends those to another host). */
  424: error("The provider failed: `provider_*` code, the provider's reason, `Retry-After` when it gave one"),
  /** A rate limit refused the request (README "Rate limits"); it changed nothing. */
  429: {
    ...error("Over a rate limit: `rate_limited`, nothing was done; retry after `Retry-After` seconds"),
    headers: { "Retry-After": { description: "Seconds until the limit frees", schema: { type: "integer" } } },
  },
} as const;

export const bearer = [{ Bearer: [] }];

type RouteConfig = Parameters<typeof createRoute>[0];

/**
 * The route builder for one domain: each route gets the domain's tag and, unless `secured` is
 * false, the bearer-token requirement in the OpenAPI document.
 * @example const route = routeBuilder("chats"); const listChats = route({ method: "get", ... });
 */
export function routeBuilder(tag: string, { secured = true } = {}) {
  return <const R extends RouteConfig>(config: R) =>
    createRoute({ ...config, tags: [tag], ...(secured ? { security: bearer } : {}) });
}
