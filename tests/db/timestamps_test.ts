import assert from "node:assert/strict";
import fc from "fast-check";
import { isoTimestamp } from "../../shared/db/timestamps.ts";
import { db } from "../helpers/env.ts";

// What postgres.js gave before (`new Date(text)`, printed by JSON) is the contract.
const viaDate = (text: string) => new Date(text).toISOString();

Deno.test("isoTimestamp: Postgres's UTC text as Date#toJSON prints it, milliseconds truncated", () => {
  assert.equal(isoTimestamp("2026-11-24 05:35:00.123999+00"), "2026-11-24T05:35:00.123Z");
  assert.equal(isoTimestamp("2026-11-24 05:35:00.5+00"), "2026-11-24T05:35:00.500Z");
  assert.equal(isoTimestamp("2026-11-24 05:35:00+00"), "2026-11-24T05:35:00.000Z");
  assert.equal(isoTimestamp("2026-11-24 06:35:00.25+01"), "2026-11-24T05:35:00.250Z");
});

Deno.test("isoTimestamp agrees with the Date path on every text Postgres prints", async () => {
  const sql = db();
  try {
    // Microsecond timestamps from 1970 to 2100, each also cut to 10^k microseconds, so that every
    // fraction length Postgres prints (it drops trailing zeros) occurs.
    const random = fc.sample(fc.bigInt({ min: 0n, max: 4_102_444_800_000_000n }), 500);
    const micros = random.flatMap((m) => [0n, 1n, 2n, 3n, 4n, 5n, 6n].map((k) => m - m % 10n ** k));
    const rows = await sql<{ text: string }[]>`
      select (timestamptz 'epoch' + (m || ' microseconds')::interval)::text as text
      from unnest(${micros.map(String)}::bigint[]) as m`;
    for (const { text } of rows) assert.equal(isoTimestamp(text), viaDate(text), text);
    assert.equal(new Set(rows.map(({ text }) => /\.(\d+)/.exec(text)?.[1].length ?? 0)).size, 7);
  } finally {
    await sql.end();
  }
});
