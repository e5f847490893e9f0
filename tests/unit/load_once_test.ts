/** Code loaded on first use (shared/runtime/load-once.ts): loaded once, and again after a failure. */
import assert from "node:assert/strict";
import { loadOnce } from "../../shared/runtime/load-once.ts";

Deno.test("the first call loads; every later call gets the same promise", async () => {
  let loads = 0;
  const load = loadOnce(() => Promise.resolve(++loads));
  const first = load();
  assert.equal(load(), first);
  assert.equal(await load(), 1);
  assert.equal(loads, 1);
});

Deno.test("a load that failed is tried again by the next call", async () => {
  let loads = 0;
  const load = loadOnce(() =>
    ++loads === 1 ? Promise.reject(new Error("unreachable module")) : Promise.resolve(loads)
  );
  await assert.rejects(load(), /unreachable module/);
  assert.equal(await load(), 2);
  assert.equal(await load(), 2);
});
