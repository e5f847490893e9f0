/**
 * The destination guard: the one check every provider call makes before it connects (the
 * transport runs it: model lists, chats, image generations, image URL downloads), so that a
 * user's `base_url` or a provider's image URL cannot make the backend call itself, the platform's
 * internal services, the cloud metadata endpoint or anything else on a private network.
 *
 * A URL passes when its scheme is http or https and its host is public: an IP literal (every
 * spelling, ./addresses.ts) must be a public address; a name must not be `localhost`, `*.localhost`,
 * a single label or another local-only name (`*.local`, `*.internal`, `*.home.arpa`), and every A
 * and AAAA answer `Deno.resolveDns` gives for it must be public (a name with no answer is refused
 * too; a resolver that fails for another reason is a network failure, tried again later).
 *
 * The policy is the entry's to set (`setDestinationPolicy`, from `ALLOW_PRIVATE_DESTINATIONS` in
 * shared/config/env.ts): refusing by default, as a hosted project must; the local stack allows
 * private destinations, its fake providers listen on 127.0.0.1. The scheme is checked either way.
 *
 * What is left open: DNS rebinding. `fetch` resolves the name again after this check, and Deno 2.1
 * cannot pin the checked address without a custom client (`Deno.createHttpClient` is unstable and
 * not on the edge runtime; connecting to the IP literal instead would break TLS host checks), so a
 * name whose server answers a public address to the check and a private one a moment later (TTL 0)
 * can still reach a private address. Redirects are not followed (see ./transport.ts), so the
 * window is that one race per call.
 * @module
 */
import { type AddressCategory, CATEGORY_PHRASES, classifyAddress } from "./addresses.ts";

/** The A or AAAA answers for a name; throws `Deno.errors.NotFound` when there are none. */
export type Resolver = (name: string, type: "A" | "AAAA", signal?: AbortSignal) => Promise<string[]>;

export interface DestinationPolicy {
  /** Private, loopback and reserved destinations allowed (local development only). */
  allowPrivate: boolean;
  /** How names are resolved (tests stub it). */
  resolve: Resolver;
}

/** What every refusal ends with, for messages. */
export const PUBLIC_ONLY = "only public internet addresses are called";

const systemResolver: Resolver = (name, type, signal) => Deno.resolveDns(name, type, { signal });

let policy: DestinationPolicy = { allowPrivate: false, resolve: systemResolver };

/** Sets the isolate's policy (the entries do, from the configuration); unnamed fields stay. */
export function setDestinationPolicy(change: Partial<DestinationPolicy>): void {
  policy = { ...policy, ...change };
}

/** The policy in force. */
export function destinationPolicy(): Readonly<DestinationPolicy> {
  return policy;
}

/** Suffixes of names that only mean something on a local network. */
const LOCAL_SUFFIXES = [".localhost", ".local", ".internal", ".home.arpa", ".localdomain"];

/** Why a host name (not an IP literal) is refused by itself, or null. */
function nameRefusal(host: string): string | null {
  const name = host.toLowerCase().replace(/\.+$/, "");
  if (name === "localhost" || LOCAL_SUFFIXES.some((suffix) => `.${name}`.endsWith(suffix))) {
    return "the host is a local-only name";
  }
  if (!name.includes(".")) return "the host is a single-label name";
  // A last label that is a number makes the URL parser read the host as IPv4, or refuse it.
  if (/^(\d+|0x[0-9a-f]*)$/i.test(name.slice(name.lastIndexOf(".") + 1))) {
    return "the host is not a valid name";
  }
  return null;
}

const addressRefusal = (category: AddressCategory) => `the host is ${CATEGORY_PHRASES[category]}`;

/** The name's A and AAAA answers; empty when it has none; throws when the resolver fails. */
async function resolveAll(name: string, signal?: AbortSignal): Promise<string[]> {
  const lookups = (["A", "AAAA"] as const).map((type) =>
    policy.resolve(name, type, signal).catch((error) => {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    })
  );
  return (await Promise.all(lookups)).flat();
}

/** Why a name's answers are refused: none, or any of them not public; null when all are. */
async function resolvedRefusal(name: string, signal?: AbortSignal): Promise<string | null> {
  const answers = await resolveAll(name.replace(/\.+$/, ""), signal);
  if (answers.length === 0) return "the name does not resolve to any address";
  const refused = answers.some((answer) => classifyAddress(answer)?.category !== null);
  return refused ? "the name resolves to a non-public address" : null;
}

/** Why `url` may not be called at all, whatever the policy (not a valid http(s) URL), or null. */
export function schemeRefusal(url: string): string | null {
  if (!URL.canParse(url)) return "the URL is not valid";
  const { protocol } = new URL(url);
  return protocol === "http:" || protocol === "https:" ? null : "the scheme is not http or https";
}

/**
 * Why `url` may not be called (a phrase after which `PUBLIC_ONLY` reads well, never naming what a
 * resolver answered), or null when it may. Resolves names under `signal`.
 * @throws when the resolver fails other than with "no such name" (a network failure).
 */
export async function destinationRefusal(url: string, signal?: AbortSignal): Promise<string | null> {
  const refusal = schemeRefusal(url);
  if (refusal || policy.allowPrivate) return refusal;
  const host = new URL(url).hostname;
  const literal = classifyAddress(host);
  if (literal) return literal.category ? addressRefusal(literal.category) : null;
  return nameRefusal(host) ?? await resolvedRefusal(host, signal);
}
