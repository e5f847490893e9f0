/**
 * Attachments: `POST /v1/attachments` stores an image or a text file, typed by its bytes, for a
 * later message (MessageCreate `attachments`).
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { extensionOf, isUtf8Text, sniffImageType } from "../files/sniff.ts";
import { createRouter } from "../http/router.ts";
import { ATTACHMENTS_PATH } from "./upload-path.ts";
import { authErrors, errors, json, multipartBody, routeBuilder } from "../http/openapi.ts";
import { type FileRule, readUpload, type UploadRules } from "../http/upload.ts";
import { ApiError } from "../errors/api-error.ts";
import { validationDetails } from "../http/errors.ts";
import { Attachment, AttachmentFields } from "./schemas.ts";
import { createAttachment } from "./service.ts";

const MiB = 1024 * 1024;
const IMAGE_TYPES = ["image/png", "image/jpeg", "image/webp", "image/gif"];
/** Text types told apart by the file name (the bytes are text either way). */
const TEXT_TYPES: Record<string, string> = {
  md: "text/markdown",
  markdown: "text/markdown",
  csv: "text/csv",
  json: "application/json",
};

const imageRule = (mime: string): FileRule => ({
  mime,
  ext: extensionOf(mime),
  maxBytes: 10 * MiB,
  tooLarge: "Images must be 10 MB or smaller.",
});

const textRule = (filename: string): FileRule => {
  const ext = /\.([A-Za-z0-9]+)$/.exec(filename)?.[1].toLowerCase() ?? "txt";
  return {
    mime: TEXT_TYPES[ext] ?? "text/plain",
    ext,
    maxBytes: MiB,
    tooLarge: "Text files must be 1 MB or smaller.",
    accepts: (bytes) => isUtf8Text(bytes),
  };
};

/** Images (png, jpeg, webp, gif) by their bytes, else UTF-8 text; anything else is a 415. */
const ATTACHMENT_FILE: UploadRules = {
  field: "file",
  classify(head, filename) {
    const image = sniffImageType(head);
    if (image) return IMAGE_TYPES.includes(image) ? imageRule(image) : undefined;
    return isUtf8Text(head, true) ? textRule(filename) : undefined;
  },
  unsupported: "Attach PNG, JPEG, WebP or GIF images, or UTF-8 text files (text, markdown, csv, json, code).",
  maxBytes: 10 * MiB,
  tooLarge: "Attachments must be 10 MB or smaller (text files 1 MB).",
};

const route = routeBuilder("attachments");

const upload = route({
  method: "post",
  path: ATTACHMENTS_PATH,
  summary: "Upload an image or a text file to send with a message",
  description:
    "Images (png, jpeg, webp, gif by their bytes) up to 10 MiB; UTF-8 text (text, markdown, csv, " +
    "json, source files) up to 1 MiB. Another type: 415; too large: 413. Kept 24 hours unless sent with a " +
    "message (MessageCreate `attachments`). Counts towards the `uploads` rate limit.",
  request: multipartBody("The file in the field `file`; optionally `chat_id`", {
    file: { type: "string", format: "binary" },
    chat_id: { type: "string", format: "uuid" },
  }),
  responses: {
    201: json(Attachment, "The stored attachment, with a short-lived signed URL"),
    404: errors[404],
    413: errors[413],
    415: errors[415],
    429: errors[429],
    ...authErrors,
  },
});

export function attachmentRoutes() {
  const router = createRouter();
  router.use(`${ATTACHMENTS_PATH}/*`, requireUser());
  router.use(ATTACHMENTS_PATH, requireUser());
  router.openapi(upload, async (c) => {
    const { bytes, rule, filename, fields } = await readUpload(c.req.raw, ATTACHMENT_FILE);
    const parsed = AttachmentFields.safeParse({ chat_id: fields.chat_id || undefined });
    if (!parsed.success) throw new ApiError(422, "validation_error", validationDetails(parsed.error, "body"));
    const kind = rule.mime.startsWith("image/") ? "image" : "text";
    const file = { bytes, kind, mimeType: rule.mime, name: filename } as const;
    return c.json(await createAttachment(c.get("claims"), file, parsed.data.chat_id), 201);
  });
  return router;
}
