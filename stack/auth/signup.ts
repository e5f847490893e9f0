/**
 * POST /signup: e-mail sign-ups. With confirmations off (the CLI default) the user is confirmed
 * and gets a session; with them on, the bare user comes back and no mail is sent (none exists
 * locally), and a repeated sign-up gets GoTrue's obfuscated fake user.
 * @module
 */
import { AUDIENCE, type AuthServices, DEFAULT_ROLE } from "./context.ts";
import type { Db } from "./db.ts";
import { badRequest, internalError, unprocessable } from "./errors.ts";
import { sessionResponse, startSession } from "./grants.ts";
import { hashPassword } from "./passwords.ts";
import { type Params, readParams } from "./request.ts";
import { confirmEmail, markConfirmationSent, reload, setRole } from "./user-updates.ts";
import { findUserByEmail, insertIdentity, insertUser, userJson, type UserRow } from "./users.ts";
import { checkPasswordStrength, validateEmail } from "./validation.ts";

const SIGNUP_PARAMS = {
  email: "string",
  phone: "string",
  password: "string",
  data: "object",
  channel: "string",
  code_challenge: "string",
  code_challenge_method: "string",
} as const;

type SignupParams = Params<typeof SIGNUP_PARAMS>;

function validate(params: SignupParams, minLength: number): { email: string; password: string } {
  if (!params.password) throw badRequest("validation_failed", "Signup requires a valid password");
  checkPasswordStrength(params.password, minLength);
  if (params.email && params.phone) {
    throw badRequest(
      "validation_failed",
      "Only an email address or phone number should be provided on signup.",
    );
  }
  if (!params.email) throw badRequest("phone_provider_disabled", "Phone signups are disabled");
  return { email: validateEmail(params.email), password: params.password };
}

/** The fake user a repeated sign-up gets when confirmations are on (GoTrue's sanitizeUser). */
function obfuscatedUser(existing: UserRow, data: Record<string, unknown>): Record<string, unknown> {
  const now = new Date();
  const user: UserRow = {
    ...existing,
    id: crypto.randomUUID(),
    role: "",
    email_change: "",
    phone: "",
    created_at: now,
    updated_at: now,
    confirmation_sent_at: now,
    last_sign_in_at: null,
    confirmed_at: null,
    email_change_sent_at: null,
    email_confirmed_at: null,
    phone_confirmed_at: null,
    raw_user_meta_data: data,
    raw_app_meta_data: { provider: "email", providers: ["email"] },
  };
  return userJson({ user, identities: [] });
}

async function createUser(db: Db, email: string, passwordHash: string, data: Record<string, unknown>) {
  try {
    const user = await insertUser(db, {
      aud: AUDIENCE,
      email,
      phone: null,
      passwordHash,
      appMetadata: { provider: "email", providers: ["email"] },
      userMetadata: data,
    });
    await setRole(db, user.id, DEFAULT_ROLE);
    return user;
  } catch (error) {
    throw internalError("Database error saving new user", error);
  }
}

async function ensureEmailIdentity(db: Db, user: UserRow, data: Record<string, unknown>): Promise<void> {
  const [identity] = await db`
    select 1 from auth.identities where provider_id = ${user.id} and provider = 'email'`;
  if (identity) return;
  const claims = { sub: user.id, email: user.email, email_verified: false, phone_verified: false };
  await insertIdentity(db, user.id, "email", { ...data, ...claims });
}

/** POST /signup */
export async function signup(services: AuthServices, request: Request): Promise<Response> {
  const { auth } = services.config;
  const params = await readParams(request, "SignupParams", SIGNUP_PARAMS);
  if (!params.email && !params.phone) {
    throw unprocessable("anonymous_provider_disabled", "Anonymous sign-ins are disabled");
  }
  if (!auth.enableSignup) throw unprocessable("signup_disabled", "Signups not allowed for this instance");
  const { email, password } = validate(params, auth.minimumPasswordLength);
  const data = params.data ?? {};
  const autoconfirm = !auth.enableConfirmations;

  const existing = await findUserByEmail(services.db, email, AUDIENCE);
  if (existing?.email_confirmed_at) {
    if (autoconfirm) throw unprocessable("user_already_exists", "User already registered");
    return Response.json(obfuscatedUser(existing, data));
  }
  const passwordHash = existing ? "" : await hashPassword(password);

  return await services.db.begin(async (tx) => {
    const user = existing ?? await createUser(tx, email, passwordHash, data);
    await ensureEmailIdentity(tx, user, data);
    if (!autoconfirm) {
      await markConfirmationSent(tx, user.id);
      return Response.json(userJson(await reload(tx, user.id)));
    }
    await confirmEmail(tx, user.id);
    const session = await startSession(tx, user.id, "password", request);
    return await sessionResponse(services, tx, { ...session, loaded: await reload(tx, user.id) });
  });
}
