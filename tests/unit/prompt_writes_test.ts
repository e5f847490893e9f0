/**
 * The `setImmediate` postgres.js flushes its writes with (shared/db/prompt-writes.ts): calls queued in
 * one synchronous stretch run together at the end of it, in order and with their arguments, before
 * any timer; a cleared one does not run; one that throws does not stop the others.
 */
import assert from "node:assert/strict";
import { promptWrites } from "../../shared/db/prompt-writes.ts";

promptWrites();
type Immediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => unknown;
const { setImmediate, clearImmediate } = globalThis as unknown as {
  setImmediate: Immediate;
  clearImmediate: (handle: unknown) => void;
};

Deno.test("queued calls run after the current job, together, in order, before a timer set earlier", async () => {
  const ran: string[] = [];
  const timer = new Promise((resolve) => setTimeout(() => resolve(ran.push("timer")), 0));
  setImmediate((a, b) => ran.push(`first ${a} ${b}`), 1, 2);
  setImmediate(() => ran.push("second"));
  ran.push("sync");
  await timer;
  assert.deepEqual(ran, ["sync", "first 1 2", "second", "timer"]);
});

Deno.test("a cleared call does not run; the others queued with it do", async () => {
  const ran: string[] = [];
  const cleared = setImmediate(() => ran.push("cleared"));
  setImmediate(() => ran.push("kept"));
  clearImmediate(cleared);
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(ran, ["kept"]);
});

Deno.test("a call queued by a running one runs too, after it", async () => {
  const ran: string[] = [];
  setImmediate(() => {
    ran.push("outer");
    setImmediate(() => ran.push("inner"));
  });
  await new Promise((resolve) => setTimeout(resolve, 0));
  assert.deepEqual(ran, ["outer", "inner"]);
});

Deno.test("a call that throws does not keep the others from running; its error is still thrown", async () => {
  const ran: string[] = [];
  const thrown: unknown[] = [];
  const onError = (event: ErrorEvent) => {
    event.preventDefault();
    thrown.push(event.error);
  };
  globalThis.addEventListener("error", onError);
  try {
    setImmediate(() => {
      throw new TypeError("a dead socket");
    });
    setImmediate(() => ran.push("next connection's write"));
    await new Promise((resolve) => setTimeout(resolve, 0));
  } finally {
    globalThis.removeEventListener("error", onError);
  }
  assert.deepEqual(ran, ["next connection's write"]);
  assert.equal((thrown[0] as Error).message, "a dead socket");
});
