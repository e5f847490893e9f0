/**
 * The admin user routes (admin-role JWT, e.g. the service_role key): create, list, get, update
 * and delete users under /admin/users.
 * @module
 */
import { AUDIENCE, type AuthServices, DEFAULT_ROLE, requireAdmin } from "./context.ts";
import type { Db } from "./db.ts";
import { AuthError, badRequest, internalError, notFound, unprocessable } from "./errors.ts";
import { hashPassword, isBcryptHash, randomPassword } from "./passwords.ts";
import { type Params, readParams } from "./request.ts";
import { logout } from "./sessions.ts";
import * as updates from "./user-updates.ts";
import {
  emailTaken,
  insertIdentity,
  insertUser,
  listUsers,
  loadUser,
  phoneTaken,
  userJson,
} from "./users.ts";
import {
  checkPasswordStrength,
  isNilUuid,
  isUuid,
  MAX_PASSWORD_BYTES,
  parseBanDuration,
  validateEmail,
  validatePhone,
} from "./validation.ts";

const ADMIN_USER_PARAMS = {
  id: "string",
  aud: "string",
  role: "string",
  email: "string",
  phone: "string",
  password: "string",
  password_hash: "string",
  email_confirm: "boolean",
  phone_confirm: "boolean",
  user_metadata: "object",
  app_metadata: "object",
  ban_duration: "string",
} as const;

type AdminUserParams = Params<typeof ADMIN_USER_PARAMS>;

const DUPLICATE_EMAIL = "A user with this email address has already been registered";
const DUPLICATE_PHONE = "Phone number already registered by another user";

/** Runs `work` in a transaction; a database failure becomes GoTrue's 500 with `message`. */
async function transaction<T>(
  services: AuthServices,
  message: string,
  work: (tx: Db) => Promise<T>,
): Promise<T> {
  try {
    return await services.db.begin(work) as T;
  } catch (error) {
    throw error instanceof AuthError ? error : internalError(message, error);
  }
}

async function targetUser(services: AuthServices, id: string) {
  if (!isUuid(id)) throw notFound("validation_failed", "user_id must be an UUID");
  const loaded = await loadUser(services.db, id);
  if (!loaded) throw notFound("user_not_found", "User not found");
  return loaded;
}

async function passwordHashFor(params: AdminUserParams): Promise<string> {
  if (params.password && params.password_hash) {
    throw badRequest("validation_failed", "Only a password or a password hash should be provided");
  }
  if (params.password_hash) {
    if (!isBcryptHash(params.password_hash)) throw internalError("Error creating user");
    return params.password_hash;
  }
  const password = params.password || randomPassword();
  if (new TextEncoder().encode(password).length > MAX_PASSWORD_BYTES) {
    throw badRequest("validation_failed", "bcrypt: password length exceeds 72 bytes");
  }
  return await hashPassword(password);
}

function customId(id: string | undefined): string | undefined {
  if (id === undefined || id === "") return undefined;
  if (!isUuid(id)) throw badRequest("validation_failed", "ID must conform to the uuid v4 format");
  if (isNilUuid(id)) throw badRequest("validation_failed", "ID cannot be a nil uuid");
  return id.toLowerCase();
}

async function contactDetails(services: AuthServices, params: AdminUserParams, aud: string) {
  if (!params.email && !params.phone) {
    throw badRequest("validation_failed", "Cannot create a user without either an email or phone");
  }
  const email = params.email ? validateEmail(params.email) : null;
  if (email && await emailTaken(services.db, email, aud)) {
    throw unprocessable("email_exists", DUPLICATE_EMAIL);
  }
  const phone = params.phone ? validatePhone(params.phone) : null;
  if (phone && await phoneTaken(services.db, phone, aud)) {
    throw unprocessable("phone_exists", DUPLICATE_PHONE);
  }
  return { email, phone, providers: [...(email ? ["email"] : []), ...(phone ? ["phone"] : [])] };
}

/** POST /admin/users */
export async function createUser(services: AuthServices, request: Request): Promise<Response> {
  await requireAdmin(services, request);
  const params = await readParams(request, "AdminUserParams", ADMIN_USER_PARAMS);
  const aud = params.aud || AUDIENCE;
  const { email, phone, providers } = await contactDetails(services, params, aud);
  const passwordHash = await passwordHashFor(params);
  const id = customId(params.id);
  const ban = params.ban_duration ? parseBanDuration(params.ban_duration) : undefined;
  const appMetadata = { provider: providers[0], providers };

  const created = await transaction(services, "Database error creating new user", async (tx) => {
    const userMetadata = params.user_metadata ?? {};
    const user = await insertUser(tx, { id, aud, email, phone, passwordHash, appMetadata, userMetadata });
    if (email) await insertIdentity(tx, user.id, "email", identityClaims(user.id, { email }));
    if (phone) await insertIdentity(tx, user.id, "phone", identityClaims(user.id, { phone }));
    await updates.setRole(tx, user.id, params.role || DEFAULT_ROLE);
    if (params.app_metadata) {
      await updates.setAppMetadata(tx, user.id, updates.mergeMetadata(appMetadata, params.app_metadata));
    }
    if (params.email_confirm) await updates.confirmEmail(tx, user.id);
    if (params.phone_confirm) await updates.confirmPhone(tx, user.id);
    if (ban !== undefined) await updates.setBan(tx, user.id, ban);
    return await updates.reload(tx, user.id);
  });
  return Response.json(userJson(created));
}

function identityClaims(userId: string, contact: { email?: string; phone?: string }) {
  return { sub: userId, ...contact, email_verified: false, phone_verified: false };
}

function pageNumber(value: string | null, fallback: number): number {
  if (!value) return fallback;
  if (!/^\d+$/.test(value)) {
    throw badRequest(
      "validation_failed",
      `Bad Pagination Parameters: strconv.ParseUint: parsing "${value}": invalid syntax`,
    );
  }
  return Number(value);
}

/** GoTrue's Link header: next (when there is one) and last, on the request's own path. */
function paginationLink(url: URL, page: number, lastPage: number): string {
  const pageUrl = (n: number) => {
    const query = new URLSearchParams(url.searchParams);
    query.set("page", String(n));
    query.sort();
    return `<${url.pathname}?${query}>`;
  };
  const next = lastPage > page ? `${pageUrl(page + 1)}; rel="next", ` : "";
  return `${next}${pageUrl(lastPage)}; rel="last"`;
}

/** GET /admin/users?page=&per_page=&filter= */
export async function listUsersRoute(services: AuthServices, request: Request): Promise<Response> {
  await requireAdmin(services, request);
  const url = new URL(request.url);
  const page = Math.max(pageNumber(url.searchParams.get("page"), 1), 1);
  const perPage = Math.min(Math.max(pageNumber(url.searchParams.get("per_page"), 50), 1), 1000);
  const filter = url.searchParams.get("filter") ?? "";
  const { users, total } = await listUsers(services.db, { aud: AUDIENCE, page, perPage, filter });
  const lastPage = Math.max(Math.ceil(total / perPage), 1);
  return Response.json({ users: users.map(userJson), aud: AUDIENCE }, {
    headers: { link: paginationLink(url, page, lastPage), "x-total-count": String(total) },
  });
}

/** GET /admin/users/{id} */
export async function getUserRoute(services: AuthServices, request: Request, id: string): Promise<Response> {
  await requireAdmin(services, request);
  return Response.json(userJson(await targetUser(services, id)));
}

async function checkedUpdate(services: AuthServices, params: AdminUserParams, userId: string, aud: string) {
  const email = params.email ? validateEmail(params.email) : undefined;
  const phone = params.phone ? validatePhone(params.phone) : undefined;
  if (email && await emailTaken(services.db, email, aud, userId)) {
    throw unprocessable("email_exists", DUPLICATE_EMAIL);
  }
  if (phone && await phoneTaken(services.db, phone, aud, userId)) {
    throw unprocessable("phone_exists", DUPLICATE_PHONE);
  }
  const ban = params.ban_duration ? parseBanDuration(params.ban_duration) : undefined;
  if (params.password !== undefined) {
    checkPasswordStrength(params.password, services.config.auth.minimumPasswordLength);
  }
  const passwordHash = params.password ? await hashPassword(params.password) : params.password;
  return { email, phone, ban, passwordHash };
}

type CheckedUpdate = Awaited<ReturnType<typeof checkedUpdate>>;

/** Role, confirmations, password (which ends every session) and e-mail/phone, in GoTrue's order. */
async function applyAccountChanges(tx: Db, userId: string, params: AdminUserParams, change: CheckedUpdate) {
  if (params.role) await updates.setRole(tx, userId, params.role);
  if (params.email_confirm) await updates.confirmEmail(tx, userId);
  if (params.phone_confirm) await updates.confirmPhone(tx, userId);
  if (change.passwordHash !== undefined) {
    await updates.setPasswordHash(tx, userId, change.passwordHash || null);
    await logout(tx, userId, "global");
  }
  if (change.email) await updates.setEmail(tx, userId, change.email, Boolean(params.email_confirm));
  if (change.phone) await updates.setPhone(tx, userId, change.phone, Boolean(params.phone_confirm));
}

async function applyMetadataChanges(tx: Db, userId: string, params: AdminUserParams) {
  const { user } = await updates.reload(tx, userId);
  if (params.app_metadata) {
    await updates.setAppMetadata(
      tx,
      userId,
      updates.mergeMetadata(user.raw_app_meta_data, params.app_metadata),
    );
  }
  if (params.user_metadata) {
    await updates.setUserMetadata(
      tx,
      userId,
      updates.mergeMetadata(user.raw_user_meta_data, params.user_metadata),
    );
  }
}

/** PUT /admin/users/{id} */
export async function updateUserRoute(
  services: AuthServices,
  request: Request,
  id: string,
): Promise<Response> {
  await requireAdmin(services, request);
  const { user } = await targetUser(services, id);
  const params = await readParams(request, "AdminUserParams", ADMIN_USER_PARAMS);
  const change = await checkedUpdate(services, params, user.id, user.aud ?? AUDIENCE);

  const updated = await transaction(services, "Error updating user", async (tx) => {
    await applyAccountChanges(tx, user.id, params, change);
    await applyMetadataChanges(tx, user.id, params);
    if (change.ban !== undefined) await updates.setBan(tx, user.id, change.ban);
    return await updates.reload(tx, user.id);
  });
  return Response.json(userJson(updated));
}

/** DELETE /admin/users/{id}: a hard delete unless `{"should_soft_delete": true}`; 200 `{}`. */
export async function deleteUserRoute(
  services: AuthServices,
  request: Request,
  id: string,
): Promise<Response> {
  await requireAdmin(services, request);
  const { user } = await targetUser(services, id);
  const params = await readParams(request, "adminUserDeleteParams", { should_soft_delete: "boolean" }, {
    allowEmpty: true,
  });
  if (!params.should_soft_delete) {
    await transaction(services, "Database error deleting user", (tx) => updates.deleteUser(tx, user.id));
  } else if (!user.deleted_at) {
    await transaction(services, "Error soft deleting user", async (tx) => {
      await updates.softDeleteUser(tx, user);
      await logout(tx, user.id, "global");
    });
  }
  return Response.json({});
}
