/**
 * Users: the caller's profile, onboarding, account deletion schedule, data export.
 * @module
 */
import { z } from "@hono/zod-openapi";
import { requireUser } from "../auth/middleware.ts";
import { asUser, userReader } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { AVATAR_PATH } from "./upload-path.ts";
import { forbidden } from "../errors/api-error.ts";
import {
  authErrors,
  body,
  errors,
  json,
  multipartBody,
  routeBuilder,
  UNKNOWN_FIELDS_IGNORED,
} from "../http/openapi.ts";
import { bearerToken } from "../auth/middleware.ts";
import { readUpload, type UploadRules } from "../http/upload.ts";
import { extensionOf, sniffImageType } from "../files/sniff.ts";
import { AVATAR_MAX_BYTES, AVATAR_TYPES, setAvatar } from "./avatar.ts";
import type { UserClaims } from "../auth/claims.ts";
import { eraseAccount } from "./erase.ts";
import {
  AccountErased,
  DeletionCanceled,
  DeletionQuery,
  DeletionRequest,
  DeletionScheduled,
  OnboardingSurvey,
  UserExport,
  UserIdParams,
  UserProfile,
  UserProfileUpdate,
} from "./schemas.ts";
import * as users from "./service.ts";

const route = routeBuilder("users");

const getProfile = route({
  method: "get",
  path: "/v1/users/profile",
  summary: "The caller's profile",
  responses: { 200: json(UserProfile, "The profile"), ...authErrors },
});

const updateProfile = route({
  method: "put",
  path: "/v1/users/profile",
  summary: "Update the profile (only the fields sent change)",
  request: body(UserProfileUpdate),
  responses: { 200: json(UserProfile, "The updated profile"), ...authErrors },
});

const deleteProfile = route({
  method: "delete",
  path: "/v1/users/profile",
  summary: "Schedule the account's deletion (30 days of grace), or with immediate=true erase it now",
  description: "Erasing deletes the Auth user and every row, Vault secret and Storage file of the account; " +
    "its tokens are refused (401) from then on.",
  request: { query: DeletionQuery },
  responses: {
    200: {
      description: "Deletion scheduled, or the account erased",
      content: { "application/json": { schema: z.union([DeletionScheduled, AccountErased]) } },
    },
    ...authErrors,
  },
});

const requestDeletion = route({
  method: "post",
  path: "/v1/users/profile/deletion",
  summary: "Schedule the account's deletion (an older app build's path; the server chooses the dates)",
  request: {
    body: {
      description: UNKNOWN_FIELDS_IGNORED,
      content: { "application/json": { schema: DeletionRequest } },
      required: false,
    },
  },
  responses: { 200: json(DeletionScheduled, "Deletion scheduled"), ...authErrors },
});

const cancelDeletion = route({
  method: "post",
  path: "/v1/users/profile/deletion/cancel",
  summary: "Cancel a scheduled deletion",
  responses: { 200: json(DeletionCanceled, "Deletion canceled (or there was none)"), ...authErrors },
});

const onboarding = route({
  method: "post",
  path: "/v1/users/profile/onboarding",
  summary: "Store the onboarding survey",
  request: body(OnboardingSurvey),
  responses: { 200: json(UserProfile, "The updated profile"), ...authErrors },
});

const exportData = route({
  method: "get",
  path: "/v1/users/profile/export",
  summary: "All of the caller's data as one JSON document",
  responses: { 200: json(UserExport, "The export"), ...authErrors },
});

const AVATAR_TOO_LARGE = "Avatar files must be 5 MB or smaller.";

/** An avatar: png, jpeg, webp or heic by its bytes, at most 5 MiB. */
const AVATAR_FILE: UploadRules = {
  field: "file",
  classify(head) {
    const mime = sniffImageType(head);
    if (!mime || !AVATAR_TYPES.includes(mime)) return undefined;
    return { mime, ext: extensionOf(mime), maxBytes: AVATAR_MAX_BYTES, tooLarge: AVATAR_TOO_LARGE };
  },
  unsupported: "Avatars must be PNG, JPEG, WebP or HEIC images.",
  maxBytes: AVATAR_MAX_BYTES,
  tooLarge: AVATAR_TOO_LARGE,
};

const uploadAvatar = route({
  method: "post",
  path: AVATAR_PATH,
  summary: "Upload an avatar (png, jpeg, webp or heic, at most 5 MB); avatar_url becomes its public URL",
  description: "The type is decided by the file's bytes, not its name. The previous avatar file is " +
    "removed. Empty file: 422 `empty_file`; over 5 MiB: 413; another type: 415. Counts towards the " +
    "`uploads` rate limit.",
  request: multipartBody("The image in the field `file`", { file: { type: "string", format: "binary" } }),
  responses: {
    200: json(UserProfile, "The profile with its new avatar_url"),
    413: errors[413],
    415: errors[415],
    429: errors[429],
    ...authErrors,
  },
});

const getUser = route({
  method: "get",
  path: "/v1/users/{user_id}",
  summary: "A user's profile (only the caller's own)",
  request: { params: UserIdParams },
  responses: { 200: json(UserProfile, "The profile"), 403: errors[403], ...authErrors },
});

/** The caller's profile: one round trip when it exists; making a missing one needs a write transaction. */
async function profileOf(claims: UserClaims) {
  const [profile] = await userReader(claims)((tx) => users.profileRow(tx, claims.sub));
  return profile ?? await asUser(claims, (tx) => users.getProfile(tx, claims.sub));
}

export function userRoutes() {
  const router = createRouter();
  router.use("/v1/users/*", requireUser());

  router.openapi(getProfile, async (c) => c.json(await profileOf(c.get("claims")), 200));
  router.openapi(updateProfile, async (c) => {
    const claims = c.get("claims");
    const update = c.req.valid("json");
    return c.json(await asUser(claims, (tx) => users.updateProfile(tx, claims.sub, update)), 200);
  });
  router.openapi(deleteProfile, async (c) => {
    const claims = c.get("claims");
    if (c.req.valid("query").immediate) return c.json(await eraseAccount(claims.sub), 200);
    return c.json(await asUser(claims, (tx) => users.scheduleDeletion(tx, claims.sub)), 200);
  });
  router.openapi(requestDeletion, async (c) => {
    const claims = c.get("claims");
    return c.json(await asUser(claims, (tx) => users.scheduleDeletion(tx, claims.sub)), 200);
  });
  router.openapi(cancelDeletion, async (c) => {
    const claims = c.get("claims");
    return c.json(await asUser(claims, (tx) => users.cancelDeletion(tx, claims.sub)), 200);
  });
  router.openapi(onboarding, async (c) => {
    const claims = c.get("claims");
    const survey = c.req.valid("json");
    return c.json(await asUser(claims, (tx) => users.completeOnboarding(tx, claims.sub, survey)), 200);
  });
  router.openapi(uploadAvatar, async (c) => {
    const { bytes, rule } = await readUpload(c.req.raw, AVATAR_FILE);
    const token = bearerToken(c.req.header("authorization"))!;
    const profile = await setAvatar(c.get("claims"), token, { bytes, mime: rule.mime, ext: rule.ext });
    return c.json(profile, 200);
  });
  // Registered before /v1/users/{user_id} so "profile" is never read as an id.
  router.openapi(exportData, async (c) => {
    const claims = c.get("claims");
    return c.json(await asUser(claims, (tx) => users.exportData(tx, claims.sub)), 200);
  });
  router.openapi(getUser, async (c) => {
    const claims = c.get("claims");
    const { user_id } = c.req.valid("param");
    if (user_id !== claims.sub) throw forbidden("You can only read your own profile.");
    return c.json(await profileOf(claims), 200);
  });
  return router;
}
