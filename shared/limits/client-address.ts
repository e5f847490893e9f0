/**
 * The client's address, as the platform's gateway hands it to an edge function: in `x-forwarded-for`,
 * to which each proxy appends the address it was connected from (Kong, Supabase's API gateway, does
 * so: README "Client address"). A client may send its own `x-forwarded-for`, whose entries then come
 * first: so the address is read from the right, `hops` entries in (1: the entry the gateway appended),
 * never from the left. IPv6 addresses are taken per /64 (one subscriber's prefix: a client holds
 * many addresses of its /64, but rarely more than one prefix).
 * @module
 */
import { limitsConfig } from "./config.ts";

/** The subject of per-address limits when no address came (a request that bypassed the gateway). */
export const UNKNOWN_ADDRESS = "unknown";

/** The client's address from an `x-forwarded-for` value: the `hops`-th entry from the right. */
export function clientAddress(forwardedFor: string | null | undefined, hops = 1): string {
  const entries = (forwardedFor ?? "").split(",").map((entry) => entry.trim()).filter(Boolean);
  const entry = entries[entries.length - hops];
  return entry ? normaliseAddress(entry) : UNKNOWN_ADDRESS;
}

/** The caller's address from a request's `x-forwarded-for`, with the configured `FORWARDED_FOR_HOPS`. */
export const requestAddress = (forwardedFor: string | null | undefined): string =>
  clientAddress(forwardedFor, limitsConfig().forwardedHops);

/** An IPv4 address as it is, an IPv6 address as its /64 prefix; anything else trimmed to 64 characters. */
export function normaliseAddress(entry: string): string {
  const ipv4 = /^(\d{1,3}(?:\.\d{1,3}){3})(?::\d+)?$/.exec(entry);
  if (ipv4) return ipv4[1];
  const text = entry.replace(/^\[|\](:\d+)?$/g, "").toLowerCase();
  if (!text.includes(":")) return text.slice(0, 64);
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (mapped) return mapped[1];
  const groups = expandIpv6(text);
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : text.slice(0, 64);
}

/** The eight groups of an IPv6 address (no leading zeros), or undefined when it is not one. */
function expandIpv6(text: string): string[] | undefined {
  const halves = text.split("::");
  if (halves.length > 2) return undefined;
  const split = (part: string) => part ? part.split(":") : [];
  const head = split(halves[0]), tail = split(halves[1] ?? "");
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? missing : 0).fill("0"), ...tail];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => group.replace(/^0+(?=.)/, ""));
}
