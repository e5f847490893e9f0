/**
 * Recognises the service credential: the legacy service-role JWT (as `Authorization: Bearer` or
 * `apikey`) or an `sb_secret_...` key (as `apikey`), compared in constant time.
 * @module
 */
import { createHash, timingSafeEqual } from "node:crypto";
import { serviceCredentials } from "../config/env.ts";

const digest = (value: string) => createHash("sha256").update(value).digest();

function matchesAny(candidate: string, keys: string[]): boolean {
  const presented = digest(candidate);
  // Compare against every key so the time taken does not reveal which one matched.
  return keys.reduce((found, key) => timingSafeEqual(presented, digest(key)) || found, false);
}

/** True when the request carries a service credential. */
export function hasServiceCredential(headers: Headers, keys = serviceCredentials()): boolean {
  if (keys.length === 0) return false;
  const bearer = /^Bearer (\S+)$/i.exec(headers.get("authorization") ?? "")?.[1];
  const apikey = headers.get("apikey") ?? undefined;
  return [bearer, apikey].some((value) => value !== undefined && matchesAny(value, keys));
}
