/**
 * The address classifier (shared/llm/addresses.ts) on its own, without the URL parser: every IPv4
 * spelling a host can take (decimal, octal, hex, short forms, trailing dot), IPv6 literals with
 * embedded IPv4, and every range refused, next to the public addresses just outside them.
 */
import assert from "node:assert/strict";
import { type AddressCategory, classifyAddress, parseIPv4, parseIPv6 } from "../../shared/llm/addresses.ts";

const category = (text: string) => classifyAddress(text)?.category;

Deno.test("IPv4 literals are read in every spelling the URL parser accepts", () => {
  const loopback = [
    "127.0.0.1",
    "2130706433",
    "0177.0.0.1",
    "0177.0000.0000.0001",
    "017700000001",
    "0x7f.0.0.1",
    "0X7F.0x0.0x0.0x1",
    "0x7f000001",
    "0x7f.1",
    "0177.1",
    "127.1",
    "127.0.1",
    "127.000.000.001",
    "127.0.0.1.",
    "0x7f.0.0.0x1",
  ];
  for (const text of loopback) {
    assert.equal(classifyAddress(text)?.address, "127.0.0.1", text);
    assert.equal(category(text), "loopback", text);
  }
  assert.equal(classifyAddress("10.1")?.address, "10.0.0.1");
  assert.equal(classifyAddress("0xa.1")?.address, "10.0.0.1");
  assert.equal(classifyAddress("012.0.0.1")?.address, "10.0.0.1");
  assert.equal(classifyAddress("167772161")?.address, "10.0.0.1");
  assert.equal(classifyAddress("169.254.43518")?.address, "169.254.169.254");
  assert.equal(classifyAddress("0xa9fea9fe")?.address, "169.254.169.254");
  assert.equal(classifyAddress("0")?.address, "0.0.0.0");
  assert.equal(classifyAddress("0x")?.address, "0.0.0.0");
});

Deno.test("what is no IPv4 literal is not read as one", () => {
  for (
    const text of [
      "1.2.3.4.5",
      "256.0.0.1",
      "1.2.3.256",
      "1.2.65536",
      "08.0.0.1",
      "0x7g.0.0.1",
      "",
      "..",
      "a.b",
    ]
  ) {
    assert.equal(parseIPv4(text), null, text);
  }
  for (const text of ["example.com", "api.openai.com", "localhost"]) {
    assert.equal(classifyAddress(text), null, text);
  }
});

Deno.test("IPv6 literals are read with or without brackets, compressed or not, with an IPv4 tail", () => {
  const mapped = ["[::ffff:127.0.0.1]", "::ffff:127.0.0.1", "[0:0:0:0:0:ffff:7f00:1]", "[::ffff:7f00:1]"];
  for (const text of mapped) assert.deepEqual(parseIPv6(text), [0, 0, 0, 0, 0, 0xffff, 0x7f00, 1], text);
  const loopback = [
    "[::1]",
    "::1",
    "0:0:0:0:0:0:0:1",
    "0000:0000:0000:0000:0000:0000:0000:0001",
    "[0::1]",
    "[::0:1]",
  ];
  for (const text of loopback) assert.equal(category(text), "loopback", text);
  for (
    const text of [
      ":::",
      "1:2:3:4:5:6:7:8:9",
      "1::2::3",
      "::ffff:1.2.3",
      "::ffff:1.2.3.256",
      "fe80::1%eth0",
      "[::g]",
    ]
  ) {
    assert.equal(parseIPv6(text), null, text);
  }
});

Deno.test("every non-public range is refused, with its category", () => {
  const cases: [string, AddressCategory][] = [
    ["0.0.0.0", "unspecified"],
    ["0.1.2.3", "unspecified"],
    ["10.0.0.1", "private"],
    ["10.255.255.255", "private"],
    ["100.64.0.1", "carrier-grade-nat"],
    ["100.127.255.254", "carrier-grade-nat"],
    ["127.255.255.254", "loopback"],
    ["169.254.169.254", "link-local"],
    ["172.16.0.1", "private"],
    ["172.31.255.255", "private"],
    ["192.0.0.170", "reserved"],
    ["192.0.2.1", "reserved"],
    ["192.88.99.1", "reserved"],
    ["192.168.1.1", "private"],
    ["198.18.0.1", "reserved"],
    ["198.19.255.255", "reserved"],
    ["198.51.100.1", "reserved"],
    ["203.0.113.1", "reserved"],
    ["224.0.0.1", "multicast"],
    ["239.255.255.250", "multicast"],
    ["240.0.0.1", "reserved"],
    ["255.255.255.255", "broadcast"],
    ["::", "unspecified"],
    ["::1", "loopback"],
    ["::ffff:8.8.8.8", "ipv4-mapped"],
    ["::ffff:169.254.169.254", "ipv4-mapped"],
    ["::127.0.0.1", "ipv4-compatible"],
    ["::a00:1", "ipv4-compatible"],
    ["::ffff:0:7f00:1", "reserved"],
    ["64:ff9b::127.0.0.1", "nat64-non-public"],
    ["64:ff9b::10.0.0.1", "nat64-non-public"],
    ["64:ff9b::a9fe:a9fe", "nat64-non-public"],
    ["64:ff9b:1::1", "reserved"],
    ["2002:7f00:1::", "6to4-non-public"],
    ["2002:a00:1::1", "6to4-non-public"],
    ["2002:c0a8:101::1", "6to4-non-public"],
    ["fc00::1", "unique-local"],
    ["fd00:ec2::254", "unique-local"],
    ["fe80::1", "link-local"],
    ["febf:ffff::1", "link-local"],
    ["fec0::1", "reserved"],
    ["ff02::1", "multicast"],
    ["100::1", "reserved"],
    ["2001:db8::1", "reserved"],
    ["2001::1", "reserved"],
    ["2001:2::1", "reserved"],
    ["3fff::1", "reserved"],
    ["5f00::1", "reserved"],
    ["4000::1", "reserved"],
  ];
  for (const [text, expected] of cases) assert.equal(category(text), expected, text);
});

Deno.test("public addresses pass, including those just outside the refused ranges", () => {
  const open = [
    "8.8.8.8",
    "1.1.1.1",
    "93.184.216.34",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "169.255.0.0",
    "172.15.255.255",
    "172.32.0.0",
    "192.0.1.0",
    "192.167.255.255",
    "192.169.0.0",
    "198.17.255.255",
    "198.20.0.0",
    "223.255.255.255",
    "2001:4860:4860::8888",
    "2001:4860::8888",
    "2606:4700::6812:7c0",
    "2a00:1450:4001:80b::200e",
    "2001:200::1",
    "64:ff9b::8.8.8.8",
    "2002:808:808::1",
  ];
  for (const text of open) assert.equal(category(text), null, text);
});
