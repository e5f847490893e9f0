/**
 * The rate limits' settings (`<count>/<window>`, the lockout's numbers, refused with their names),
 * the client's address read from the right of `x-forwarded-for` (what a client sends first changes
 * nothing; IPv6 per /64), the local gateway appending the peer as Kong does, and the 429 made of
 * Postgres's refusal.
 */
import assert from "node:assert/strict";
import { clientAddress, UNKNOWN_ADDRESS } from "../../shared/limits/client-address.ts";
import { LIMITS, parseLimitsConfig, parseRule, windowText } from "../../shared/limits/config.ts";
import { rateLimitError } from "../../shared/limits/service.ts";
import { forwardedFor } from "../../stack/gateway.ts";

Deno.test("rules read as <count>/<window>", () => {
  assert.deepEqual(parseRule("30/1m"), { max: 30, windowSeconds: 60 });
  assert.deepEqual(parseRule(" 100 / 10s "), { max: 100, windowSeconds: 10 });
  assert.deepEqual(parseRule("5/h"), { max: 5, windowSeconds: 3600 });
  for (const bad of ["", "30", "0/1m", "30/0s", "30/8d", "-1/1m", "30/1w"]) {
    assert.equal(parseRule(bad), undefined, bad);
  }
  assert.equal(windowText(60), "minute");
  assert.equal(windowText(600), "10 minutes");
  assert.equal(windowText(86_400), "day");
  assert.equal(windowText(45), "45 seconds");
});

Deno.test("every limit has a valid default; settings override them; bad values are named", () => {
  const defaults = parseLimitsConfig({});
  assert.deepEqual(Object.keys(defaults.rules).sort(), Object.keys(LIMITS).sort());
  assert.deepEqual(defaults.lockout, { after: 5, baseSeconds: 30, maxSeconds: 3600, emailAfter: 50 });
  assert.equal(defaults.forwardedHops, 1);
  const set = parseLimitsConfig({
    RATE_LIMIT_REPLIES: "5/1h",
    SIGN_IN_LOCKOUT_AFTER: "3",
    FORWARDED_FOR_HOPS: "",
  });
  assert.deepEqual(set.rules.replies, { max: 5, windowSeconds: 3600 });
  assert.equal(set.lockout.after, 3);
  assert.throws(
    () => parseLimitsConfig({ RATE_LIMIT_SIGN_UP: "lots" }),
    /RATE_LIMIT_SIGN_UP must be <count>\/<window>/,
  );
  assert.throws(() => parseLimitsConfig({ SIGN_IN_LOCKOUT_AFTER: "0" }), /SIGN_IN_LOCKOUT_AFTER/);
  assert.throws(
    () => parseLimitsConfig({ SIGN_IN_LOCKOUT_SECONDS: "600", SIGN_IN_LOCKOUT_MAX_SECONDS: "60" }),
    /SIGN_IN_LOCKOUT_MAX_SECONDS must be at least/,
  );
});

Deno.test("the client's address is the right-most x-forwarded-for entry: a client's own entries come first", () => {
  assert.equal(clientAddress("203.0.113.9"), "203.0.113.9");
  assert.equal(clientAddress("1.1.1.1, 2.2.2.2, 203.0.113.9"), "203.0.113.9");
  assert.equal(clientAddress("1.1.1.1,203.0.113.9", 2), "1.1.1.1");
  assert.equal(clientAddress("203.0.113.9:51234"), "203.0.113.9");
  assert.equal(clientAddress(undefined), UNKNOWN_ADDRESS);
  assert.equal(clientAddress(" , "), UNKNOWN_ADDRESS);
  assert.equal(clientAddress("::ffff:198.51.100.4"), "198.51.100.4");
  // IPv6 per /64: the addresses of one prefix are one client.
  assert.equal(clientAddress("2001:db8:1:2::1"), "2001:db8:1:2::/64");
  assert.equal(clientAddress("2001:0db8:0001:0002:ffff:ffff:ffff:ffff"), "2001:db8:1:2::/64");
  assert.equal(clientAddress("[2001:db8::7]:443"), "2001:db8:0:0::/64");
});

Deno.test("the local gateway appends the peer's address to what the client sent", () => {
  const peer = { transport: "tcp", hostname: "127.0.0.5", port: 4000 } as const;
  assert.equal(forwardedFor(null, peer), "127.0.0.5");
  assert.equal(forwardedFor("6.6.6.6", peer), "6.6.6.6, 127.0.0.5");
  assert.equal(clientAddress(forwardedFor("6.6.6.6, 7.7.7.7", peer)), "127.0.0.5");
  assert.equal(forwardedFor("6.6.6.6", undefined), "6.6.6.6");
});

Deno.test("Postgres's refusal (RL429) becomes the 429 with Retry-After and a sentence", () => {
  const limited = rateLimitError({ code: "RL429", message: "replies", detail: "42", hint: "30/60" });
  assert.equal(limited?.status, 429);
  assert.equal(limited?.code, "rate_limited");
  assert.equal(limited?.headers["Retry-After"], "42");
  assert.equal(limited?.detail, "Too many replies: at most 30 per minute. Try again in 42 seconds.");
  const lockout = rateLimitError({ code: "RL429", message: "sign_in_lockout", detail: "1", hint: "5/30" });
  assert.equal(
    lockout?.detail,
    "Too many failed sign-ins for this email from your network. Try again in 1 second.",
  );
  assert.equal(rateLimitError({ code: "23505" }), undefined);
  assert.equal(rateLimitError(new Error("x")), undefined);
});
