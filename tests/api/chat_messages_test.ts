/** Chat messages and list paging through the gateway. */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { addMessage, countRows, createChat } from "../helpers/chats.ts";

const contents = (list: { content: string }[]) => list.map((m) => m.content);

Deno.test("a message is stored and returned (role user by default, metadata kept)", async () => {
  const user = await signUpUser();
  const chat = await createChat(user);
  const { status, body } = await call(`/v1/chats/${chat.id}/messages`, {
    method: "POST",
    token: user.token,
    body: { content: "Hello", metadata: { client: "ios", draft: false } },
  });
  assert.equal(status, 200);
  assert.equal(body.chat_id, chat.id);
  assert.equal(body.role, "user");
  assert.equal(body.content, "Hello");
  assert.deepEqual(body.metadata, { client: "ios", draft: false });
  assert.deepEqual(Object.keys(body).sort(), [
    "chat_id",
    "content",
    "created_at",
    "id",
    "metadata",
    "parent_id",
    "role",
    "sibling_count",
    "sibling_index",
  ]);

  const system = await call(`/v1/chats/${chat.id}/messages`, {
    method: "POST",
    token: user.token,
    body: { role: "system", content: "Be terse.", stream: true },
  });
  assert.equal(system.status, 200, "stream: true is accepted (stored like any other for now)");
  assert.equal(system.body.role, "system");
});

Deno.test("adding a message bumps the chat's updated_at, so it leads the chat list", async () => {
  const user = await signUpUser();
  const older = await createChat(user, { title: "older" });
  const newer = await createChat(user, { title: "newer" });
  const before = await call("/v1/chats", { token: user.token });
  assert.deepEqual(before.body.map((c: { id: string }) => c.id), [newer.id, older.id]);

  const message = await addMessage(user, older.id, "bump");
  const list = await call("/v1/chats", { token: user.token });
  assert.deepEqual(list.body.map((c: { id: string }) => c.id), [older.id, newer.id]);
  // The chat is stamped with its transaction's start, the message with the clock a moment later.
  const lag = Date.parse(message.created_at) - Date.parse(list.body[0].updated_at);
  assert.ok(lag >= 0 && lag < 1000, `message ${message.created_at}, chat ${list.body[0].updated_at}`);
});

Deno.test("invalid messages are 422s that store nothing; a missing chat is 404", async () => {
  const user = await signUpUser();
  const chat = await createChat(user);
  const cases: [unknown, string][] = [
    [{ content: "" }, "content"],
    [{}, "content"],
    [{ content: "x", role: "tool" }, "role"],
    [{ content: "x", metadata: [1, 2] }, "metadata"],
    [{ content: "x", stream: "yes" }, "stream"],
  ];
  for (const [payload, field] of cases) {
    const { status, body } = await call(`/v1/chats/${chat.id}/messages`, {
      method: "POST",
      token: user.token,
      body: payload,
    });
    assert.equal(status, 422, JSON.stringify(payload));
    assert.deepEqual(body.detail[0].loc, ["body", field]);
  }
  const missing = await call(`/v1/chats/${crypto.randomUUID()}/messages`, {
    method: "POST",
    token: user.token,
    body: { content: "x" },
  });
  assert.equal(missing.status, 404);
  assert.deepEqual(await countRows(user), { chats: 1, messages: 0 });
});

async function chatWithMessages(user: TestUser, count: number) {
  const chat = await createChat(user);
  const sent: { id: string; content: string; created_at: string }[] = [];
  for (let i = 1; i <= count; i++) sent.push(await addMessage(user, chat.id, `m${i}`));
  return { chat, sent };
}

Deno.test("messages list oldest first and page forward with limit, X-Next-Cursor and Link", async () => {
  const user = await signUpUser();
  const { chat, sent } = await chatWithMessages(user, 5);
  const path = `/v1/chats/${chat.id}/messages`;

  const all = await call(path, { token: user.token });
  assert.deepEqual(contents(all.body), ["m1", "m2", "m3", "m4", "m5"]);
  assert.equal(all.headers.get("x-next-cursor"), null);
  assert.equal(all.headers.get("link"), null);

  const first = await call(`${path}?limit=2`, { token: user.token });
  assert.deepEqual(contents(first.body), ["m1", "m2"]);
  assert.equal(first.headers.get("x-next-cursor"), sent[1].id);
  assert.equal(first.headers.get("link"), `<?limit=2&after=${sent[1].id}>; rel="next"`);

  const second = await call(`${path}?limit=2&after=${first.headers.get("x-next-cursor")}`, {
    token: user.token,
  });
  assert.deepEqual(contents(second.body), ["m3", "m4"]);
  const last = await call(`${path}?limit=2&after=${second.headers.get("x-next-cursor")}`, {
    token: user.token,
  });
  assert.deepEqual(contents(last.body), ["m5"]);
  assert.equal(last.headers.get("x-next-cursor"), null);

  const detail = await call(`/v1/chats/${chat.id}`, { token: user.token });
  assert.deepEqual(contents(detail.body.messages), ["m1", "m2", "m3", "m4", "m5"]);
});

Deno.test("messages page back with before (still oldest first), and accept timestamp cursors", async () => {
  const user = await signUpUser();
  const { chat, sent } = await chatWithMessages(user, 5);
  const path = `/v1/chats/${chat.id}/messages`;

  const latest = await call(`${path}?limit=2&before=9999-12-31T00:00:00Z`, { token: user.token });
  assert.deepEqual(contents(latest.body), ["m4", "m5"]);
  assert.equal(latest.headers.get("x-next-cursor"), sent[3].id);
  assert.match(latest.headers.get("link") ?? "", /before=/);
  const earlier = await call(`${path}?limit=2&before=${sent[3].id}`, { token: user.token });
  assert.deepEqual(contents(earlier.body), ["m2", "m3"]);

  const since = await call(`${path}?after=${encodeURIComponent(sent[2].created_at)}`, { token: user.token });
  // A timestamp is compared at the precision sent (milliseconds here), so m3 itself may or may not count.
  assert.ok(["m3,m4,m5", "m4,m5"].includes(contents(since.body).join(",")), contents(since.body).join(","));
});

Deno.test("chats page back in time with before, without gaps or repeats", async () => {
  const user = await signUpUser();
  const created = [];
  for (let i = 1; i <= 5; i++) created.push(await createChat(user, { title: `c${i}` }));
  const seen: string[] = [];
  let query = "?limit=2";
  for (let page = 0; page < 5 && query; page++) {
    const { status, body, headers } = await call(`/v1/chats${query}`, { token: user.token });
    assert.equal(status, 200);
    seen.push(...body.map((c: { title: string }) => c.title));
    const next = headers.get("x-next-cursor");
    if (next) assert.equal(headers.get("link"), `<?limit=2&before=${next}>; rel="next"`);
    query = next ? `?limit=2&before=${next}` : "";
  }
  assert.deepEqual(seen, ["c5", "c4", "c3", "c2", "c1"]);
  const newer = await call(`/v1/chats?after=${created[2].id}`, { token: user.token });
  assert.deepEqual(newer.body.map((c: { title: string }) => c.title), ["c5", "c4"]);
});

Deno.test("bad paging parameters are 422s: limit out of range, unknown cursor, both cursors", async () => {
  const user = await signUpUser();
  const { chat } = await chatWithMessages(user, 1);
  const cases: [string, string][] = [
    ["/v1/chats?limit=0", "limit"],
    ["/v1/chats?limit=201", "limit"],
    ["/v1/chats?limit=ten", "limit"],
    ["/v1/chats?before=yesterday", "before"],
    [`/v1/chats?before=${crypto.randomUUID()}`, "before"],
    [`/v1/chats/${chat.id}/messages?after=${crypto.randomUUID()}`, "after"],
    [`/v1/chats/${chat.id}/messages?before=${chat.id}&after=${chat.id}`, "after"],
  ];
  for (const [path, field] of cases) {
    const { status, body } = await call(path, { token: user.token });
    assert.equal(status, 422, path);
    assert.deepEqual(body.detail[0].loc, ["query", field], path);
  }
  assert.equal((await call("/v1/chats?limit=200", { token: user.token })).status, 200);
});
