/**
 * Which IP addresses are public destinations: an IPv4 or IPv6 literal is read in every spelling a
 * URL host can take (decimal `2130706433`, octal `0177.0.0.1`, hex `0x7f.0.0.1` / `0x7f000001`,
 * short forms `127.1`, a trailing dot, IPv6 with or without brackets, with an embedded dotted
 * IPv4) and classified: loopback, private (RFC 1918), link-local, CGNAT, unique-local, multicast,
 * unspecified, reserved, broadcast, IPv4-mapped and -compatible, NAT64 and 6to4 embedding a
 * non-public IPv4 — or public (null). Pure functions: resolving names is ./destinations.ts's part.
 * @module
 */

/** Why an address is no public destination. */
export type AddressCategory =
  | "loopback"
  | "private"
  | "link-local"
  | "carrier-grade-nat"
  | "unique-local"
  | "multicast"
  | "unspecified"
  | "reserved"
  | "broadcast"
  | "ipv4-mapped"
  | "ipv4-compatible"
  | "nat64-non-public"
  | "6to4-non-public";

/** Each category as a phrase after "the host is" (user-facing: names no address). */
export const CATEGORY_PHRASES: Record<AddressCategory, string> = {
  loopback: "a loopback address",
  private: "a private (RFC 1918) address",
  "link-local": "a link-local address",
  "carrier-grade-nat": "a carrier-grade NAT address",
  "unique-local": "a unique-local IPv6 address",
  multicast: "a multicast address",
  unspecified: "the unspecified address",
  reserved: "a reserved address",
  broadcast: "the broadcast address",
  "ipv4-mapped": "an IPv4-mapped IPv6 address",
  "ipv4-compatible": "an IPv4-compatible IPv6 address",
  "nat64-non-public": "a NAT64 address of a non-public IPv4 address",
  "6to4-non-public": "a 6to4 address of a non-public IPv4 address",
};

/** IPv4 ranges that are no public destination, first match wins (broadcast before 240/4). */
const V4_RANGES: [string, number, AddressCategory][] = [
  ["0.0.0.0", 8, "unspecified"], // "this network"
  ["10.0.0.0", 8, "private"],
  ["100.64.0.0", 10, "carrier-grade-nat"],
  ["127.0.0.0", 8, "loopback"],
  ["169.254.0.0", 16, "link-local"],
  ["172.16.0.0", 12, "private"],
  ["192.0.0.0", 24, "reserved"], // IETF protocol assignments
  ["192.0.2.0", 24, "reserved"], // documentation
  ["192.88.99.0", 24, "reserved"], // 6to4 relay anycast
  ["192.168.0.0", 16, "private"],
  ["198.18.0.0", 15, "reserved"], // benchmarking
  ["198.51.100.0", 24, "reserved"], // documentation
  ["203.0.113.0", 24, "reserved"], // documentation
  ["224.0.0.0", 4, "multicast"],
  ["255.255.255.255", 32, "broadcast"],
  ["240.0.0.0", 4, "reserved"],
];

/** One part of an IPv4 literal (decimal, `0`-prefixed octal, `0x` hex), or null when it is none. */
function ipv4Part(part: string): number | null {
  if (part === "") return null;
  let digits = part, radix = 10;
  if (/^0x/i.test(part)) [digits, radix] = [part.slice(2), 16];
  else if (part.length > 1 && part.startsWith("0")) [digits, radix] = [part.slice(1), 8];
  if (digits === "") return 0;
  const valid = radix === 16 ? /^[0-9a-f]+$/i : radix === 8 ? /^[0-7]+$/ : /^[0-9]+$/;
  return valid.test(digits) ? parseInt(digits, radix) : null;
}

/**
 * An IPv4 literal as the WHATWG URL parser reads one (1 to 4 parts, each decimal, octal or hex,
 * the last filling the remaining bytes, one trailing dot allowed) as an unsigned 32-bit number;
 * null when `text` is not one.
 */
export function parseIPv4(text: string): number | null {
  const parts = text.split(".");
  if (parts.length > 1 && parts.at(-1) === "") parts.pop();
  if (parts.length === 0 || parts.length > 4) return null;
  const numbers = parts.map(ipv4Part);
  if (numbers.some((n) => n === null)) return null;
  const last = numbers.pop()!;
  if (numbers.some((n) => n! > 255) || last >= 256 ** (4 - numbers.length)) return null;
  return numbers.reduce((sum: number, n, i) => sum + n! * 256 ** (3 - i), 0) + last;
}

/** Dotted-quad form of a 32-bit address. */
export function formatIPv4(address: number): string {
  return [24, 16, 8, 0].map((shift) => (address >>> shift) & 255).join(".");
}

/** The ranges as [first address, block size, category]. */
const V4_BLOCKS = V4_RANGES.map(([base, bits, category]) =>
  [parseIPv4(base)!, 2 ** (32 - bits), category] as const
);

/** The category of an IPv4 address (a 32-bit number), or null when it is public. */
export function classifyIPv4(address: number): AddressCategory | null {
  return V4_BLOCKS.find(([first, size]) => address >= first && address < first + size)?.[2] ?? null;
}

/** A strict dotted quad (four decimal parts, each 0..255), as IPv6 literals embed one. */
function dottedQuad(text: string): number | null {
  const parts = text.split(".");
  if (parts.length !== 4 || parts.some((part) => !/^\d{1,3}$/.test(part) || Number(part) > 255)) return null;
  return parts.reduce((sum, part) => sum * 256 + Number(part), 0);
}

/** Hex groups of one side of `::` (the last may be a dotted IPv4), or null when malformed. */
function ipv6Groups(side: string, last: boolean): number[] | null {
  if (side === "") return [];
  const pieces = side.split(":");
  const groups: number[] = [];
  for (const [index, piece] of pieces.entries()) {
    if (last && index === pieces.length - 1 && piece.includes(".")) {
      const dotted = dottedQuad(piece);
      if (dotted === null) return null;
      groups.push(Math.floor(dotted / 65536), dotted % 65536);
    } else if (/^[0-9a-f]{1,4}$/i.test(piece)) groups.push(parseInt(piece, 16));
    else return null;
  }
  return groups;
}

/** An IPv6 literal (brackets optional, no zone id) as its eight 16-bit groups; null when it is none. */
export function parseIPv6(text: string): number[] | null {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (!bare.includes(":")) return null;
  const halves = bare.split("::");
  if (halves.length > 2) return null;
  const head = ipv6Groups(halves[0], halves.length === 1);
  const tail = halves.length === 2 ? ipv6Groups(halves[1], true) : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  return [...head, ...Array(halves.length === 2 ? missing : 0).fill(0), ...tail];
}

const embedded = (high: number, low: number) => high * 65536 + low;
const zeros = (groups: number[], from: number, to: number) => groups.slice(from, to).every((g) => g === 0);

/** Ranges that carry an IPv4 address: refused outright, or by the IPv4 address they embed. */
function classifyEmbedding(g: number[]): AddressCategory | null | undefined {
  if (zeros(g, 0, 5) && g[5] === 0xffff) return "ipv4-mapped"; // ::ffff:a.b.c.d
  if (zeros(g, 0, 6)) return "ipv4-compatible"; // ::a.b.c.d (:: and ::1 are matched before)
  if (zeros(g, 0, 4) && g[4] === 0xffff && g[5] === 0) return "reserved"; // ::ffff:0:a.b.c.d (SIIT)
  if (g[0] === 0x64 && g[1] === 0xff9b && zeros(g, 2, 6)) {
    return classifyIPv4(embedded(g[6], g[7])) ? "nat64-non-public" : null; // 64:ff9b::/96
  }
  if (g[0] === 0x2002) return classifyIPv4(embedded(g[1], g[2])) ? "6to4-non-public" : null; // 2002::/16
  return undefined;
}

/** The category of an IPv6 address (eight groups), or null when it is public. */
export function classifyIPv6(g: number[]): AddressCategory | null {
  if (zeros(g, 0, 8)) return "unspecified";
  if (zeros(g, 0, 7) && g[7] === 1) return "loopback";
  const viaIPv4 = classifyEmbedding(g);
  if (viaIPv4 !== undefined) return viaIPv4;
  if ((g[0] & 0xfe00) === 0xfc00) return "unique-local"; // fc00::/7
  if ((g[0] & 0xffc0) === 0xfe80) return "link-local"; // fe80::/10
  if (g[0] >> 8 === 0xff) return "multicast"; // ff00::/8
  if ((g[0] & 0xe000) !== 0x2000) return "reserved"; // outside global unicast 2000::/3 (fec0::/10, 100::/64, ...)
  if (g[0] === 0x2001 && (g[1] < 0x200 || g[1] === 0xdb8)) return "reserved"; // 2001::/23, 2001:db8::/32
  if ((g[0] === 0x3fff && g[1] < 0x1000) || g[0] === 0x5f00) return "reserved"; // 3fff::/20, 5f00::/16
  return null;
}

/** An IP literal with its category (null: public). */
export interface AddressVerdict {
  /** The canonical form: dotted quad, or the eight IPv6 groups in hex. */
  address: string;
  category: AddressCategory | null;
}

/** Classifies an IP literal in any spelling; null when `text` is no IP literal (a name). */
export function classifyAddress(text: string): AddressVerdict | null {
  const v6 = parseIPv6(text);
  if (v6) return { address: v6.map((g) => g.toString(16)).join(":"), category: classifyIPv6(v6) };
  const v4Address = parseIPv4(text);
  if (v4Address === null) return null;
  return { address: formatIPv4(v4Address), category: classifyIPv4(v4Address) };
}
