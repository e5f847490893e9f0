/**
 * POST /v1/waitlist through the gateway and the api function into Postgres: the app's application is
 * stored once per lower-cased email; a second one for the same address neither overwrites the first
 * nor reveals it (the same 201 shape, the fields sent); bad input is a 422 that stores nothing.
 */
import assert from "node:assert/strict";
import { call, randomEmail } from "../helpers/api.ts";
import { parses, WAITLIST_ENTRY } from "../helpers/app_parser.ts";
import { db } from "../helpers/env.ts";

const sql = db();

/** The body the app's join screen sends. */
const application = (email: string) => ({
  name: "  Ada Lovelace ",
  email,
  occupation: "Mathematician",
  motivation: "I want to chat with my own keys on the go.",
  use_case: "Drafting notes on the Analytical Engine",
  links: ["https://example.com/ada", "http://example.org/notes"],
  source: "app",
  metadata: { platform: "android", app_version: "1.4.2" },
});

const apply = (body: unknown) => call("/v1/waitlist", { method: "POST", body });

const storedFor = (email: string) =>
  sql<{ full_name: string; email: string; occupation: string; links: string[]; metadata: unknown }[]>`
    select full_name, email, occupation, links, metadata from public.waitlist_entries
    where lower(email) = lower(${email})`;

Deno.test("an application is stored and answered 201 with the fields the app reads", async () => {
  const email = randomEmail("waitlist");
  const answer = await apply({ ...application(email), unknown_field: "ignored" });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  parses(answer.body, WAITLIST_ENTRY, "waitlist entry");
  assert.match(answer.body.id, /^[0-9a-f-]{36}$/);
  assert.equal(answer.body.full_name, "Ada Lovelace");
  assert.equal(answer.body.email, email);
  assert.equal(answer.body.source, "app");
  assert.deepEqual(answer.body.metadata, { platform: "android", app_version: "1.4.2" });
  assert.ok(Math.abs(Date.parse(answer.body.created_at) - Date.now()) < 60_000, "created now");

  const [row] = await storedFor(email);
  assert.equal(row.full_name, "Ada Lovelace");
  assert.equal(row.occupation, "Mathematician");
  assert.deepEqual(row.links, ["https://example.com/ada", "http://example.org/notes"]);
  assert.deepEqual(row.metadata, { platform: "android", app_version: "1.4.2" });
});

Deno.test("only name and email are required", async () => {
  const email = randomEmail("minimal");
  const answer = await apply({ name: "Grace Hopper", email, source: null });
  assert.equal(answer.status, 201, JSON.stringify(answer.body));
  parses(answer.body, WAITLIST_ENTRY, "waitlist entry");
  assert.equal(answer.body.full_name, "Grace Hopper");
  assert.equal(answer.body.source, null);
  assert.deepEqual(answer.body.metadata, {});
  assert.equal((await storedFor(email)).length, 1);
});

Deno.test("a second application for the same email keeps the first and reveals nothing stored", async () => {
  const email = randomEmail("twice");
  const first = await apply(application(email));
  assert.equal(first.status, 201);

  const second = await apply({
    name: "Someone Else",
    email: `  ${email.toUpperCase()} `,
    source: "web",
    metadata: { campaign: "x" },
  });
  assert.equal(second.status, 201, JSON.stringify(second.body));
  parses(second.body, WAITLIST_ENTRY, "second entry");
  assert.equal(second.body.full_name, "Someone Else", "the fields sent, not the stored ones");
  assert.equal(second.body.email, email);
  assert.equal(second.body.source, "web");
  assert.deepEqual(second.body.metadata, { campaign: "x" });
  assert.notEqual(second.body.id, first.body.id, "the first entry's id is not revealed");
  assert.ok(!JSON.stringify(second.body).includes("Lovelace"));

  const rows = await storedFor(email);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].full_name, "Ada Lovelace", "the first application stays");
});

Deno.test("bad input is a 422 naming the field, and nothing is stored", async () => {
  const email = randomEmail("bad");
  const cases: [unknown, RegExp][] = [
    [{ ...application(email), name: "   " }, /^name: /],
    [{ ...application(email), name: "x".repeat(121) }, /^name: /],
    [{ ...application(email), email: "not-an-email" }, /^email: /],
    [{ ...application(email), occupation: "x".repeat(121) }, /^occupation: /],
    [{ ...application(email), motivation: "x".repeat(801) }, /^motivation: /],
    [{ ...application(email), use_case: "x".repeat(801) }, /^use_case: /],
    [{ ...application(email), links: Array(11).fill("https://example.com") }, /^links: /],
    [{ ...application(email), links: ["javascript:alert(1)"] }, /^links\.0: /],
    [{ ...application(email), source: "x".repeat(121) }, /^source: /],
    [{ ...application(email), metadata: { blob: "x".repeat(4100) } }, /^metadata: /],
    [{ ...application(email), metadata: ["not", "an", "object"] }, /^metadata: /],
    [{ email }, /^name: /],
  ];
  for (const [body, message] of cases) {
    const answer = await apply(body);
    assert.equal(answer.status, 422, JSON.stringify(answer.body));
    assert.equal(answer.body.code, "validation_error");
    assert.match(answer.body.message, message);
    assert.ok(Array.isArray(answer.body.detail));
  }
  assert.equal((await storedFor(email)).length, 0);
});

Deno.test({
  name: "close the database client",
  fn: async () => await sql.end(),
  sanitizeOps: false,
  sanitizeResources: false,
});
