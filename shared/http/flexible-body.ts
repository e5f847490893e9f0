/**
 * A request body read the lenient way older clients need: a JSON object, a JSON string holding
 * one (sent as JSON or as text), or form fields (urlencoded or multipart). Anything else is a 422
 * in the FastAPI shape.
 * @module
 */
import type { Context } from "hono";
import { ApiError } from "../errors/api-error.ts";

function invalidBody(msg: string, type: string, loc: (string | number)[] = ["body"]): ApiError {
  return new ApiError(422, "validation_error", [{ loc, msg, type }]);
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `text` parsed as JSON; a JSON string is parsed once more (a "stringified" object). */
function parseJsonText(text: string): unknown {
  try {
    const value = JSON.parse(text);
    return typeof value === "string" ? JSON.parse(value) : value;
  } catch {
    throw invalidBody("The request body is not valid JSON.", "value_error.jsondecode");
  }
}

async function formFields(c: Context): Promise<Record<string, unknown>> {
  const form = await c.req.parseBody().catch(() => {
    throw invalidBody("The request body is not valid form data.", "value_error.form");
  });
  // Empty fields are fields not filled in, as HTML forms send them.
  return Object.fromEntries(
    Object.entries(form).filter(([, value]) => typeof value === "string" && value !== ""),
  );
}

/** The body as a plain object, from any of the accepted forms; throws a 422 otherwise. */
export async function readObjectBody(c: Context): Promise<Record<string, unknown>> {
  const type = (c.req.header("content-type") ?? "").split(";")[0].trim().toLowerCase();
  let value: unknown;
  if (type === "application/x-www-form-urlencoded" || type === "multipart/form-data") {
    value = await formFields(c);
  } else if (type === "" || type === "text/plain" || /^application\/([a-z.+-]+\+)?json$/.test(type)) {
    const text = await c.req.text();
    if (!text.trim()) throw invalidBody("Field required", "missing");
    value = parseJsonText(text);
  } else {
    throw invalidBody(
      `Unsupported content type "${type}": send JSON or form fields.`,
      "value_error.content_type",
    );
  }
  if (!isObject(value)) throw invalidBody("The request body must be a JSON object.", "type_error.dict");
  return value;
}

/** `body[field]` parsed when it arrived as a JSON string (form fields, older clients). */
export function jsonField(body: Record<string, unknown>, field: string): Record<string, unknown> {
  const value = body[field];
  if (typeof value !== "string") return body;
  try {
    return { ...body, [field]: JSON.parse(value) };
  } catch {
    throw invalidBody(`${field} must be a JSON object.`, "value_error.jsondecode", ["body", field]);
  }
}
