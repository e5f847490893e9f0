/**
 * The URL forms the SSRF proof tries: every spelling of loopback (aimed at the canaries' port), the
 * metadata address and the private network, IPv6 literals, local names, userinfo and fragment
 * tricks, other schemes, the stack's own services, and public URLs that redirect to a canary.
 * @module
 */

export interface Form {
  /** What kind of destination it names, for the table. */
  group: string;
  url: string;
}

/** The ports the forms name: the canaries', and the local stack's gateway and database. */
export interface Ports {
  canary: number;
  gateway: number;
  database: number;
}

/** The public image provider's origin (reached through the proof's network proxy). */
export const PUBLIC_ORIGIN = "http://93.184.216.34";

const loopbackHosts = [
  "127.0.0.1",
  "2130706433",
  "0177.0.0.1",
  "0177.0000.0000.0001",
  "017700000001",
  "0x7f.0.0.1",
  "0x7f.0x0.0x0.0x1",
  "0X7F.0.0.1",
  "0x7f000001",
  "0x7f.1",
  "0177.1",
  "127.1",
  "127.0.1",
  "127.000.000.001",
  "127.0.0.1.",
  "%31%32%37.0.0.1",
  "\uff11\uff12\uff17.\uff10.\uff10.\uff11",
  "[::ffff:127.0.0.1]",
  "[0:0:0:0:0:ffff:7f00:1]",
  "[::ffff:7f00:1]",
  "[0000:0000:0000:0000:0000:ffff:127.0.0.1]",
  "[::127.0.0.1]",
  "[::7f00:1]",
  "[::ffff:0:127.0.0.1]",
  "[64:ff9b::127.0.0.1]",
  "[2002:7f00:1::]",
  "localhost",
  "localhost.",
  "LOCALHOST",
  "LocalHost.",
  "api.localhost",
  "a.b.localhost.",
  "0.0.0.0",
  "0",
  "0x0",
  "00.0.0.0",
];

const secondLoopback = ["127.0.0.2", "2130706434", "0x7f000002", "127.2", "0177.0.0.2", "[::ffff:127.0.0.2]"];
const ipv6Loopback = [
  "[::1]",
  "[0:0:0:0:0:0:0:1]",
  "[0000:0000:0000:0000:0000:0000:0000:0001]",
  "[0::1]",
  "[::0:1]",
  "[::]",
];

/** Private, metadata, CGNAT, reserved, multicast and broadcast destinations (no canary can listen there). */
const internalHosts = [
  "169.254.169.254",
  "2852039166",
  "0xa9fea9fe",
  "0251.0376.0251.0376",
  "169.254.43518",
  "[::ffff:169.254.169.254]",
  "[fd00:ec2::254]",
  "[64:ff9b::a9fe:a9fe]",
  "10.0.0.1",
  "10.1",
  "012.0.0.1",
  "167772161",
  "0xa.0.0.1",
  "172.16.0.1",
  "172.31.255.254",
  "0xac100001",
  "192.168.0.1",
  "192.168.1",
  "3232235521",
  "0300.0250.0.1",
  "100.64.0.1",
  "100.127.255.254",
  "192.0.0.170",
  "192.0.2.1",
  "198.18.0.1",
  "224.0.0.1",
  "239.255.255.250",
  "255.255.255.255",
  "240.0.0.1",
  "[fc00::1]",
  "[fe80::1]",
  "[ff02::1]",
  "[fec0::1]",
  "[100::1]",
  "[2001:db8::1]",
  "[::ffff:10.0.0.1]",
  "[::a00:1]",
  "[2002:a00:1::1]",
  "[2002:c0a8:101::1]",
];

const localNames = [
  "kong:8000",
  "db:5432",
  "metadata",
  "metadata.google.internal",
  "host.docker.internal",
  "printer.local",
  "router.home.arpa",
  "127.0.0.1.nip.io",
  "localtest.me",
];

const tricks = (port: number) => [
  `http://evil@127.0.0.1:${port}/v1`,
  `http://user:pass@127.0.0.1:${port}/v1`,
  `http://api.openai.com@127.0.0.1:${port}/v1`,
  `http://127.0.0.1:${port}#@api.openai.com/v1`,
  `http://127.0.0.1:${port}?@api.openai.com/v1`,
  `http://127.0.0.1:${port}\\@api.openai.com/v1`,
  `HTTP://127.0.0.1:${port}/v1`,
];

const schemes = (port: number) => [
  "file:///etc/passwd",
  `ftp://127.0.0.1:${port}/`,
  `gopher://127.0.0.1:${port}/_GET`,
  `dict://127.0.0.1:${port}/info`,
  "data:image/png;base64,iVBORw0KGgo=",
  "javascript:alert(1)",
  `ws://127.0.0.1:${port}/`,
];

const platform = (ports: Ports) => [
  `http://127.0.0.1:${ports.gateway}/rest/v1`,
  `http://127.0.0.1:${ports.gateway}/auth/v1/admin`,
  `http://localhost:${ports.gateway}/storage/v1`,
  `http://[::1]:${ports.gateway}/functions/v1/worker`,
  `http://127.0.0.1:${ports.database}/`,
];

/** Public URLs (the proof's public provider) that answer 302 to a canary. */
const redirects = (port: number) =>
  ["127.0.0.1", "127.0.0.2", "[::1]", "localhost"].map((host) =>
    `${PUBLIC_ORIGIN}/redirect/${encodeURIComponent(`http://${host}:${port}/v1`)}`
  );

const on = (group: string, hosts: string[], port: number) =>
  hosts.map((host) => ({ group, url: `http://${host}:${port}/v1` }));

/** Every form, each with its group. */
export function urlForms(ports: Ports): Form[] {
  const { canary } = ports;
  return [
    ...on("loopback 127.0.0.1, every spelling", loopbackHosts, canary),
    ...on("loopback 127.0.0.2", secondLoopback, canary),
    ...on("loopback ::1", ipv6Loopback, canary),
    ...on("metadata, private, CGNAT, reserved, IPv6 non-public", internalHosts, canary),
    ...localNames.map((host) => ({ group: "local names", url: `http://${host}/v1` })),
    ...tricks(canary).map((url) => ({ group: "userinfo, fragment, case tricks", url })),
    ...schemes(canary).map((url) => ({ group: "other schemes", url })),
    ...platform(ports).map((url) => ({ group: "the stack's own services", url })),
    ...redirects(canary).map((url) => ({ group: "public URL redirecting to a canary", url })),
  ];
}
