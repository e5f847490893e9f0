/**
 * The destination guard (shared/llm/destinations.ts) on whole URLs, as the transport checks them:
 * every spelling of a non-public host the URL parser lets through (and the ones it normalises),
 * userinfo and fragment tricks, local names, schemes, and names resolved by a stubbed resolver
 * (refused when any answer is not public, or there is none); public hosts pass.
 */
import assert from "node:assert/strict";
import { destinationRefusal, type Resolver, setDestinationPolicy } from "../../shared/llm/destinations.ts";

/** A stub DNS: these names and answers; anything else is Deno's NotFound, as for an unknown name. */
const ZONE: Record<string, { A?: string[]; AAAA?: string[] }> = {
  "api.openai.com": { A: ["104.18.7.192", "104.18.6.192"], AAAA: ["2606:4700::6812:7c0"] },
  "api.example.com": { A: ["93.184.216.34"] },
  "v6only.example.com": { AAAA: ["2001:4860:4860::8888"] },
  "internal.example.com": { A: ["10.0.0.5"] },
  "metadata.example.com": { A: ["169.254.169.254"] },
  "mixed.example.com": { A: ["93.184.216.34"], AAAA: ["::1"] },
  "mapped.example.com": { AAAA: ["::ffff:127.0.0.1"] },
  "127.0.0.1.nip.io": { A: ["127.0.0.1"] },
};
const lookups: string[] = [];
const stubResolver: Resolver = (name, type) => {
  lookups.push(`${name} ${type}`);
  if (name === "broken-dns.example.com") return Promise.reject(new Error("timed out"));
  const answers = ZONE[name]?.[type];
  return answers ? Promise.resolve(answers) : Promise.reject(new Deno.errors.NotFound("no records found"));
};
setDestinationPolicy({ allowPrivate: false, resolve: stubResolver });

/** URLs and the phrase their refusal contains. */
const REFUSED: [string, string][] = [
  ["http://127.0.0.1/v1", "a loopback address"],
  ["http://2130706433/", "a loopback address"],
  ["http://0177.0.0.1/", "a loopback address"],
  ["http://0x7f.0.0.1/", "a loopback address"],
  ["http://0x7f000001/", "a loopback address"],
  ["http://017700000001/", "a loopback address"],
  ["http://127.1/", "a loopback address"],
  ["http://127.0.0.1./", "a loopback address"],
  ["http://%31%32%37.0.0.1/", "a loopback address"],
  ["http://\uff11\uff12\uff17.\uff10.\uff10.\uff11/", "a loopback address"],
  ["http://10.1/", "a private (RFC 1918) address"],
  ["http://192.168.1.1:8080/", "a private (RFC 1918) address"],
  ["http://172.16.0.1/", "a private (RFC 1918) address"],
  ["http://169.254.169.254/latest/meta-data/", "a link-local address"],
  ["http://2852039166/", "a link-local address"],
  ["http://100.64.0.1/", "a carrier-grade NAT address"],
  ["http://0.0.0.0/", "the unspecified address"],
  ["http://0/", "the unspecified address"],
  ["http://255.255.255.255/", "the broadcast address"],
  ["http://224.0.0.1/", "a multicast address"],
  ["http://240.0.0.1/", "a reserved address"],
  ["http://[::1]/", "a loopback address"],
  ["http://[::]/", "the unspecified address"],
  ["http://[::ffff:127.0.0.1]/", "an IPv4-mapped IPv6 address"],
  ["http://[0:0:0:0:0:ffff:7f00:1]/", "an IPv4-mapped IPv6 address"],
  ["http://[::127.0.0.1]/", "an IPv4-compatible IPv6 address"],
  ["http://[64:ff9b::10.0.0.1]/", "a NAT64 address of a non-public IPv4 address"],
  ["http://[2002:7f00:1::]/", "a 6to4 address of a non-public IPv4 address"],
  ["http://[fd00:ec2::254]/", "a unique-local IPv6 address"],
  ["http://[fe80::1]/", "a link-local address"],
  ["http://[ff02::1]/", "a multicast address"],
  ["http://evil@127.0.0.1/", "a loopback address"],
  ["http://user:pass@10.0.0.1/", "a private (RFC 1918) address"],
  ["http://127.0.0.1#@example.com/", "a loopback address"],
  ["http://127.0.0.1?@example.com/", "a loopback address"],
  ["http://localhost/", "a local-only name"],
  ["http://localhost./", "a local-only name"],
  ["http://LocalHost:54321/", "a local-only name"],
  ["http://api.localhost/", "a local-only name"],
  ["http://a.b.localhost./", "a local-only name"],
  ["http://metadata.google.internal/", "a local-only name"],
  ["http://printer.local/", "a local-only name"],
  ["http://kong:8000/", "a single-label name"],
  ["http://internal.example.com/", "resolves to a non-public address"],
  ["http://metadata.example.com/", "resolves to a non-public address"],
  ["http://mixed.example.com/", "resolves to a non-public address"],
  ["http://mapped.example.com/", "resolves to a non-public address"],
  ["http://127.0.0.1.nip.io/", "resolves to a non-public address"],
  ["http://nowhere.example.com/", "does not resolve to any address"],
  ["file:///etc/passwd", "the scheme is not http or https"],
  ["ftp://api.example.com/", "the scheme is not http or https"],
  ["gopher://127.0.0.1:70/_", "the scheme is not http or https"],
  ["data:image/png;base64,AAAA", "the scheme is not http or https"],
  ["javascript:alert(1)", "the scheme is not http or https"],
  ["http://[fe80::1%25eth0]/", "the URL is not valid"],
  ["not a url", "the URL is not valid"],
];

Deno.test("every spelling of a non-public destination is refused, naming why", async () => {
  for (const [url, phrase] of REFUSED) {
    const refusal = await destinationRefusal(url);
    assert.ok(refusal?.includes(phrase), `${url}: ${refusal}`);
  }
});

Deno.test("a refusal never names what the resolver answered", async () => {
  for (const name of ["internal.example.com", "metadata.example.com", "mixed.example.com"]) {
    const refusal = (await destinationRefusal(`http://${name}/`))!;
    for (const answer of [...ZONE[name].A ?? [], ...ZONE[name].AAAA ?? []]) {
      assert.ok(!refusal.includes(answer), refusal);
    }
  }
});

Deno.test("public destinations pass: literals, and names whose every answer is public", async () => {
  const open = [
    "https://api.openai.com/v1",
    "https://api.openai.com./v1",
    "http://api.example.com:8080/v1",
    "https://v6only.example.com/",
    "http://8.8.8.8/",
    "http://134744072/",
    "http://[2001:4860::8888]/",
    "http://[2001:4860:4860::8888]:443/",
    "http://[64:ff9b::8.8.8.8]/",
    "https://user@api.example.com/",
  ];
  for (const url of open) assert.equal(await destinationRefusal(url), null, url);
});

Deno.test("both A and AAAA answers are checked; literals and local names are never looked up", async () => {
  lookups.length = 0;
  await destinationRefusal("https://api.openai.com/v1");
  assert.deepEqual(lookups.sort(), ["api.openai.com A", "api.openai.com AAAA"]);
  lookups.length = 0;
  for (const url of ["http://127.0.0.1/", "http://[::1]/", "http://localhost/", "http://8.8.8.8/"]) {
    await destinationRefusal(url);
  }
  assert.deepEqual(lookups, []);
});

Deno.test("a resolver that fails other than 'no such name' is an error (a network failure), not a pass", async () => {
  await assert.rejects(destinationRefusal("http://broken-dns.example.com/"), /timed out/);
});

Deno.test("with private destinations allowed (local development) only the scheme is checked", async () => {
  setDestinationPolicy({ allowPrivate: true });
  try {
    for (const url of ["http://127.0.0.1:54321/", "http://localhost/", "http://[::1]/", "http://10.0.0.1/"]) {
      assert.equal(await destinationRefusal(url), null, url);
    }
    assert.equal(await destinationRefusal("file:///etc/passwd"), "the scheme is not http or https");
  } finally {
    setDestinationPolicy({ allowPrivate: false });
  }
});
