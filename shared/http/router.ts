/**
 * A domain's router: OpenAPIHono, whose routes validate requests with their zod schemas and feed the
 * OpenAPI document, with the validation hook every domain shares, so every 422 looks the same.
 * Imported with the domains' routes, never by the app frame (http/app.ts): zod and the OpenAPI
 * registry are evaluated when a domain is first needed, not at boot.
 * @module
 */
import { OpenAPIHono } from "@hono/zod-openapi";
import { errorResponse, validationDetails } from "./errors.ts";
import type { AppEnv } from "./types.ts";

export type Router = OpenAPIHono<AppEnv>;

const TARGETS: Record<string, string> = {
  json: "body",
  form: "body",
  query: "query",
  param: "path",
  header: "header",
};

const JSON_TYPE = /^application\/([\w.-]+\+)?json$/i;

/**
 * A required JSON body that never came: with no content type and no bytes, the validator checks
 * `{}`, which schemas of optional fields accept (found by proof/bad-input.ts).
 */
function jsonBodyMissing(target: string, contentType = ""): boolean {
  return target === "json" && !JSON_TYPE.test(contentType.split(";")[0].trim());
}

/** A router for one domain. */
export function createRouter(): Router {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result, c) => {
      if (jsonBodyMissing(result.target, c.req.header("content-type"))) {
        return errorResponse(c, 422, "validation_error", [{
          loc: ["body"],
          msg: "Field required",
          type: "missing",
        }]);
      }
      if (!result.success) {
        return errorResponse(
          c,
          422,
          "validation_error",
          validationDetails(result.error, TARGETS[result.target]),
        );
      }
    },
  });
}
