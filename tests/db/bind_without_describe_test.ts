/**
 * Through the transaction pooler (no prepared statements) a statement whose values are text, numbers,
 * booleans, dates, bytes or null is bound without being described first (shared/db/bind-without-
 * describe.ts): one round trip, and every value reaches Postgres exactly as when described; a value
 * that needs its type (a JSON object, an array) is still described and still right.
 */
import assert from "node:assert/strict";
import { createDatabase, serviceReader } from "../../shared/db/client.ts";
import { countingRelay, throughRelay } from "../helpers/counting_relay.ts";
import { env } from "../helpers/env.ts";

const target = env.poolerUrl ?? env.dbUrl;

Deno.test("a one-statement read with plain values is one round trip through the pooler", async () => {
  const relay = countingRelay(new URL(target));
  const database = createDatabase(throughRelay(target, relay), { max: 1, transactionPooler: true });
  try {
    const read = () => serviceReader(database)((tx) => tx`select ${"x"}::text as a, ${2}::int as b`);
    await read();
    relay.flights = 0;
    const [row] = await read();
    assert.deepEqual({ ...row }, { a: "x", b: 2 });
    assert.equal(relay.flights, 1, "begin, role, statement and commit in one flight");
  } finally {
    await database.end();
    relay.close();
  }
});

Deno.test("a write with a JSON value given its type is one round trip too", async () => {
  const relay = countingRelay(new URL(target));
  const database = createDatabase(throughRelay(target, relay), { max: 1, transactionPooler: true });
  try {
    const read = () =>
      serviceReader(database)((tx) =>
        tx`select ${tx.json({ n: 1, list: ["a"] })}::jsonb as doc, ${"x"} as a, ${true} as b`
      );
    await read();
    relay.flights = 0;
    const [row] = await read();
    assert.deepEqual(row.doc, { n: 1, list: ["a"] });
    assert.equal(relay.flights, 1);
  } finally {
    await database.end();
    relay.close();
  }
});

Deno.test("values bound without describing arrive as they would described, and typed ones still describe", async () => {
  const pooled = createDatabase(target, { max: 1, transactionPooler: true });
  const direct = createDatabase(env.dbUrl, { max: 1 });
  const when = new Date("2026-12-02T08:00:00.123Z");
  const bytes = Uint8Array.of(0, 1, 254, 255);
  const statement = (read: ReturnType<typeof serviceReader>) =>
    read((tx) =>
      tx`select ${"it's \\ \u00e9 🦊 $c$"}::text as text, ${-12.5}::numeric as num, ${42}::int as int,
                ${true} as yes, ${9007199254740993n as never}::int8 as big, ${when} as at, ${bytes} as bytes,
                ${null}::text as nothing, ${"0b6c2a9e-1d5e-4c1a-9a53-0c3e2f4b5a6d"}::uuid as id,
                ${"2026-01-01T00:00:00+02:00"}::timestamptz as stamped,
                ${tx.json({ a: [1, "two"] })}::jsonb as doc, ${[1, 2, 3]}::int[] as list,
                ${["a", "b,c"]}::text[] as words`
    );
  try {
    const [[viaPooler], [viaDirect]] = await Promise.all([
      statement(serviceReader(pooled)),
      statement(serviceReader(direct)),
    ]);
    assert.deepEqual(viaPooler, viaDirect);
    assert.equal(viaPooler.text, "it's \\ \u00e9 🦊 $c$");
    assert.deepEqual(viaPooler.doc, { a: [1, "two"] });
    assert.deepEqual(viaPooler.list, [1, 2, 3]);
    assert.deepEqual(viaPooler.words, ["a", "b,c"]);
    assert.equal(viaPooler.stamped, "2025-12-31T22:00:00.000Z");
  } finally {
    await Promise.all([pooled.end(), direct.end()]);
  }
});
