/**
 * Calling the api function through the gateway, as the mobile client does.
 * @module
 */
import { functionsUrl } from "./env.ts";

export const apiUrl = `${functionsUrl}/api`;

export interface CallOptions {
  method?: string;
  token?: string;
  body?: unknown;
  headers?: Record<string, string>;
}

export interface CallResult<T = Record<string, unknown>> {
  status: number;
  headers: Headers;
  body: T;
}

// deno-lint-ignore no-explicit-any
export async function call<T = any>(path: string, options: CallOptions = {}): Promise<CallResult<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: BodyInit | undefined;
  if (typeof options.body === "string" || options.body instanceof FormData) payload = options.body;
  else if (options.body !== undefined) {
    payload = JSON.stringify(options.body);
    headers["content-type"] ??= "application/json";
  }
  const response = await fetch(apiUrl + path, { method: options.method ?? "GET", headers, body: payload });
  const text = await response.text();
  const body = text && response.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
  return { status: response.status, headers: response.headers, body };
}

export interface TestUser {
  id: string;
  email: string;
  password: string;
  token: string;
  refreshToken: string;
  sessionId: string;
}

export const randomEmail = (tag = "user") => `${tag}-${crypto.randomUUID().slice(0, 12)}@example.test`;

/** A new account, signed up through the API. */
export async function signUpUser(fullName = "Test User"): Promise<TestUser> {
  const email = randomEmail();
  const password = `pw-${crypto.randomUUID()}`;
  const { status, body } = await call("/v1/auth/signup", {
    method: "POST",
    body: { email, password, full_name: fullName },
  });
  if (status !== 200) throw new Error(`sign-up failed: ${status} ${JSON.stringify(body)}`);
  return {
    id: body.user.id,
    email,
    password,
    token: body.tokens.access_token,
    refreshToken: body.tokens.refresh_token,
    sessionId: body.session.session_id,
  };
}
