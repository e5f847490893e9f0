/**
 * Shared by the local Auth server's tests: URLs, clients and raw-HTTP helpers.
 * @module
 */
import assert from "node:assert/strict";
import { createClient, type SupabaseClient } from "@supabase/supabase-js";
import { env } from "./env.ts";

export const authUrl = `${env.url}/auth/v1`;
export const clientOptions = { auth: { persistSession: false, autoRefreshToken: false } };
export const NEW_API = { "X-Supabase-Api-Version": "2024-01-01" };

export function uniqueEmail(tag: string): string {
  return `${tag}-${crypto.randomUUID().slice(0, 12)}@example.test`;
}

export function anonClient(): SupabaseClient {
  return createClient(env.url, env.anonKey, clientOptions);
}

export function serviceClient(): SupabaseClient {
  return createClient(env.url, env.serviceRoleKey, clientOptions);
}

/** A raw call to GoTrue through the gateway, as supabase-js would make it (minus the version header). */
export async function auth(path: string, init: RequestInit & { json?: unknown } = {}) {
  const headers = new Headers(init.headers);
  headers.set("apikey", env.anonKey);
  if (init.json !== undefined) headers.set("content-type", "application/json");
  const body = init.json !== undefined ? JSON.stringify(init.json) : init.body;
  const response = await fetch(`${authUrl}${path}`, { ...init, headers, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

/** A confirmed user made by the admin API; removed again by `deleteUsers`. */
export async function createConfirmedUser(email: string, password: string): Promise<string> {
  const { data, error } = await serviceClient().auth.admin.createUser({
    email,
    password,
    email_confirm: true,
  });
  assert.equal(error, null);
  return data.user!.id;
}

export async function deleteUsers(...ids: (string | undefined)[]): Promise<void> {
  const admin = serviceClient().auth.admin;
  for (const id of ids) if (id) await admin.deleteUser(id);
}

export async function passwordGrant(email: string, password: string) {
  return await auth("/token?grant_type=password", { method: "POST", json: { email, password } });
}

export async function refreshGrant(refreshToken: string, headers: HeadersInit = {}) {
  return await auth("/token?grant_type=refresh_token", {
    method: "POST",
    headers,
    json: { refresh_token: refreshToken },
  });
}
