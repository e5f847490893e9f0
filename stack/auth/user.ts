/**
 * The signed-in user's own routes: GET /user, PUT /user and POST /logout.
 * @module
 */
import {
  AUDIENCE,
  type AuthServices,
  type Caller,
  identityHeaders,
  requireAuthentication,
} from "./context.ts";
import type { Db } from "./db.ts";
import { badRequest, forbidden, unprocessable } from "./errors.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { type Params, readParams } from "./request.ts";
import { logout as endSessions, type LogoutScope } from "./sessions.ts";
import {
  mergeMetadata,
  reload,
  requestEmailChange,
  setPasswordHash,
  setUserMetadata,
} from "./user-updates.ts";
import { emailTaken, userJson } from "./users.ts";
import { checkPasswordStrength, validateEmail } from "./validation.ts";

const USER_UPDATE_PARAMS = {
  email: "string",
  password: "string",
  nonce: "string",
  data: "object",
  app_metadata: "object",
  phone: "string",
  channel: "string",
  code_challenge: "string",
  code_challenge_method: "string",
} as const;

type UserUpdateParams = Params<typeof USER_UPDATE_PARAMS>;

function callerHeaders(caller: Caller): Record<string, string> {
  return identityHeaders(caller.loaded.user.id, caller.session?.id);
}

/** GET /user */
export async function getUser(services: AuthServices, request: Request): Promise<Response> {
  const caller = await requireAuthentication(services, request);
  const aud = Array.isArray(caller.claims.aud) ? caller.claims.aud[0] : caller.claims.aud;
  if (aud !== AUDIENCE) {
    throw badRequest("validation_failed", "Token audience doesn't match request audience");
  }
  return Response.json(userJson(caller.loaded), { headers: callerHeaders(caller) });
}

/** The checks PUT /user makes before writing anything; returns the new e-mail, if it changes. */
async function checkUpdate(
  services: AuthServices,
  caller: Caller,
  params: UserUpdateParams,
): Promise<string | undefined> {
  const { user } = caller.loaded;
  if (params.password !== undefined) {
    checkPasswordStrength(params.password, services.config.auth.minimumPasswordLength);
  }
  if (params.app_metadata) throw forbidden("not_admin", "Updating app_metadata requires admin privileges");
  if (params.phone) throw unprocessable("phone_provider_disabled", "Phone logins are disabled");
  const email = params.email ? validateEmail(params.email) : undefined;
  if (!email || email === user.email) return undefined;
  if (await emailTaken(services.db, email, user.aud ?? AUDIENCE, user.id)) {
    throw unprocessable("email_exists", "A user with this email address has already been registered");
  }
  return email;
}

async function newPasswordHash(password: string, currentHash: string | null): Promise<string | null> {
  if (password === "") return null;
  if (await verifyPassword(password, currentHash)) {
    throw unprocessable("same_password", "New password should be different from the old password.");
  }
  return await hashPassword(password);
}

/** A password change ends every other session (GoTrue's UpdatePassword). */
async function storePassword(tx: Db, caller: Caller, hash: string | null): Promise<void> {
  const userId = caller.loaded.user.id;
  await setPasswordHash(tx, userId, hash);
  if (caller.session) await endSessions(tx, userId, "others", caller.session.id);
  else await endSessions(tx, userId, "global");
}

/** PUT /user: user_metadata via `data`, a new password, or an e-mail change (left pending). */
export async function updateUser(services: AuthServices, request: Request): Promise<Response> {
  const caller = await requireAuthentication(services, request);
  const params = await readParams(request, "UserUpdateParams", USER_UPDATE_PARAMS);
  const newEmail = await checkUpdate(services, caller, params);
  const { user } = caller.loaded;
  const hash = params.password === undefined
    ? undefined
    : await newPasswordHash(params.password, user.encrypted_password);

  const updated = await services.db.begin(async (tx) => {
    if (hash !== undefined) await storePassword(tx, caller, hash);
    if (params.data) await setUserMetadata(tx, user.id, mergeMetadata(user.raw_user_meta_data, params.data));
    if (newEmail) await requestEmailChange(tx, user.id, newEmail);
    return await reload(tx, user.id);
  });
  return Response.json(userJson(updated), { headers: callerHeaders(caller) });
}

const LOGOUT_SCOPES = new Map<string, LogoutScope>([
  ["", "global"],
  ["global", "global"],
  ["local", "local"],
  ["others", "others"],
]);

/** POST /logout?scope=global|local|others: 204, the sessions are gone. */
export async function logout(services: AuthServices, request: Request): Promise<Response> {
  const caller = await requireAuthentication(services, request);
  const requested = new URL(request.url).searchParams.get("scope") ?? "";
  const scope = LOGOUT_SCOPES.get(requested);
  if (!scope) throw badRequest("validation_failed", `Unsupported logout scope "${requested}"`);
  // Without a session_id claim GoTrue can only log the user out everywhere.
  await endSessions(
    services.db,
    caller.loaded.user.id,
    caller.session ? scope : "global",
    caller.session?.id,
  );
  return new Response(null, { status: 204, headers: callerHeaders(caller) });
}
