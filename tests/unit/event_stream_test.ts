/** The SSE body of streamed replies: event framing, heartbeats while silent, a client that goes away. */
import assert from "node:assert/strict";
import { EventStream } from "../../shared/http/event-stream.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function readAll(stream: ReadableStream<Uint8Array>): Promise<string> {
  return await new Response(stream).text();
}

Deno.test("events are framed with an id when given, a name and one JSON data line; close ends the body", async () => {
  const events = new EventStream({ heartbeatMs: 10_000 });
  events.send("start", { message: { id: "m1", content: "two\nlines" } });
  events.send("delta", { text: "Hi" }, 2);
  events.close();
  events.send("delta", { text: "after close" }, 13);
  assert.equal(
    await readAll(events.body),
    'event: start\ndata: {"message":{"id":"m1","content":"two\\nlines"}}\n\n' +
      'id: 2\nevent: delta\ndata: {"text":"Hi"}\n\n',
  );
  assert.equal(events.open, false);
});

Deno.test("a keep-alive comment is written after each silence, and only then", async () => {
  const events = new EventStream({ heartbeatMs: 60 });
  const body = readAll(events.body);
  await sleep(150); // two silences: two comments
  events.send("delta", { text: "a" });
  await sleep(30); // shorter than a silence: none
  events.send("delta", { text: "b" });
  events.close();
  const text = await body;
  assert.equal(text.match(/^: keep-alive$/gm)?.length, 2, text);
  assert.ok(text.indexOf(": keep-alive") < text.indexOf("event: delta"));
  assert.equal(text.slice(text.indexOf("event: delta")).includes("keep-alive"), false);
});

Deno.test("a client that hangs up or stops reading never blocks or breaks the writer", async () => {
  const gone = new EventStream({ heartbeatMs: 20 });
  await gone.body.cancel();
  assert.equal(gone.open, false);
  gone.send("delta", { text: "nobody listens" }); // no throw
  gone.close();
  await sleep(50); // no heartbeat fires into a cancelled stream

  const stalled = new EventStream({ heartbeatMs: 10_000, maxUnreadBytes: 1_000 });
  for (let i = 0; i < 100; i++) stalled.send("delta", { text: "x".repeat(50) });
  assert.equal(stalled.open, false, "a reader that fell too far behind is let go");
  await assert.rejects(readAll(stalled.body), /fell too far behind/);
});

Deno.test("ready() paces the writer to a reading client, and lets go of one that stalls or leaves", async () => {
  const events = new EventStream({ heartbeatMs: 10_000, maxStallMs: 200 });
  const big = "x".repeat(40_000);
  events.send("delta", { text: big });
  events.send("delta", { text: big });
  let caughtUp = false;
  const waiting = events.ready().then(() => caughtUp = true);
  await sleep(20);
  assert.equal(caughtUp, false, "80 kB unread: the writer waits");
  const reader = events.body.getReader();
  await reader.read();
  await reader.read();
  await waiting;
  assert.equal(caughtUp, true, "read: the writer goes on");
  assert.equal(events.open, true);

  events.send("delta", { text: big });
  events.send("delta", { text: big });
  const started = performance.now();
  await events.ready(); // nobody reads: after maxStallMs the client is let go
  assert.ok(performance.now() - started >= 150);
  assert.equal(events.open, false);
  await events.ready(); // and from then on the writer never waits
  reader.releaseLock();

  const leaving = new EventStream({ heartbeatMs: 10_000 });
  leaving.send("delta", { text: big });
  leaving.send("delta", { text: big });
  const pending = leaving.ready();
  await leaving.body.cancel();
  await pending;
});

Deno.test("events written while the reader is busy reach it together in one chunk, byte for byte", async () => {
  const events = new EventStream({ heartbeatMs: 10_000 });
  const reader = events.body.getReader();
  await sleep(0); // the body asks for its first chunk
  events.send("delta", { text: "a" }, 1); // handed over at once
  events.send("delta", { text: "b" }, 2); // the reader has not taken "a" yet: these wait
  events.send("delta", { text: "c" }, 3);
  const next = async () => new TextDecoder().decode((await reader.read()).value);
  assert.equal(await next(), 'id: 1\nevent: delta\ndata: {"text":"a"}\n\n');
  assert.equal(
    await next(),
    'id: 2\nevent: delta\ndata: {"text":"b"}\n\nid: 3\nevent: delta\ndata: {"text":"c"}\n\n',
  );
  const big = "x".repeat(20_000);
  events.send("delta", { text: big }, 20_003); // larger than a buffer: a chunk of its own
  events.close();
  assert.equal(await next(), `id: 20003\nevent: delta\ndata: {"text":"${big}"}\n\n`);
  assert.equal((await reader.read()).done, true);
});
