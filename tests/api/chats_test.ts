/** Chats through the gateway: create, list, get, update, delete, ownership, validation. */
import assert from "node:assert/strict";
import { call, signUpUser } from "../helpers/api.ts";
import { addMessage, countRows, createChat, createModelConfig } from "../helpers/chats.ts";

Deno.test("chat routes answer 401 without a valid token", async () => {
  const id = crypto.randomUUID();
  const routes: [string, string][] = [
    ["GET", "/v1/chats"],
    ["POST", "/v1/chats"],
    ["GET", `/v1/chats/${id}`],
    ["PUT", `/v1/chats/${id}`],
    ["DELETE", `/v1/chats/${id}`],
    ["POST", `/v1/chats/${id}/messages`],
    ["GET", `/v1/chats/${id}/messages`],
  ];
  for (const [method, path] of routes) {
    const body = method === "GET" || method === "DELETE" ? undefined : {};
    const response = await call(path, { method, token: "not-a-token", body });
    assert.equal(response.status, 401, `${method} ${path}`);
    assert.equal(typeof response.body.detail, "string");
  }
});

Deno.test("a new chat is 'Untitled chat' by default, or the title sent (trimmed)", async () => {
  const user = await signUpUser();
  const untitled = await createChat(user);
  assert.equal(untitled.title, "Untitled chat");
  assert.equal(untitled.user_id, user.id);
  assert.equal(untitled.model_config_id, null);
  assert.ok(Date.parse(untitled.created_at) <= Date.parse(untitled.updated_at));
  assert.equal(untitled.pinned, false);
  assert.equal(untitled.archived, false);
  assert.deepEqual(Object.keys(untitled).sort(), [
    "archived",
    "created_at",
    "id",
    "model_config_id",
    "pinned",
    "title",
    "updated_at",
    "user_id",
  ]);

  const titled = await createChat(user, { title: "  Trip to Lisbon  ", ignored_field: true });
  assert.equal(titled.title, "Trip to Lisbon");
});

Deno.test("initial_message is stored with the chat, and comes back with it", async () => {
  const user = await signUpUser();
  const chat = await createChat(user, { initial_message: "Plan my week" });
  const { status, body } = await call(`/v1/chats/${chat.id}`, { token: user.token });
  assert.equal(status, 200);
  assert.deepEqual(body.chat, chat);
  assert.equal(body.messages.length, 1);
  assert.equal(body.messages[0].role, "user");
  assert.equal(body.messages[0].content, "Plan my week");
  assert.deepEqual(body.messages[0].metadata, {});
});

Deno.test("model_config_id must be one of the caller's saved models; otherwise nothing is stored", async () => {
  const [alice, bob] = await Promise.all([signUpUser(), signUpUser()]);
  const [aliceModel, bobModel] = await Promise.all([createModelConfig(alice), createModelConfig(bob)]);

  const chat = await createChat(alice, { model_config_id: aliceModel });
  assert.equal(chat.model_config_id, aliceModel);

  for (const foreign of [bobModel, crypto.randomUUID()]) {
    const { status, body } = await call("/v1/chats", {
      method: "POST",
      token: alice.token,
      body: { model_config_id: foreign, initial_message: "hello" },
    });
    assert.equal(status, 422);
    assert.equal(body.code, "model_config_not_found");
  }
  assert.deepEqual(
    await countRows(alice),
    { chats: 1, messages: 0 },
    "the failed creations left no chat or message",
  );
});

Deno.test("invalid chat input is a 422 that changes nothing", async () => {
  const user = await signUpUser();
  const chat = await createChat(user, { title: "Keep me" });
  const creates: [unknown, string][] = [
    [{ title: "x".repeat(121) }, "title"],
    [{ title: "   " }, "title"],
    [{ title: 42 }, "title"],
    [{ model_config_id: "not-a-uuid" }, "model_config_id"],
    [{ initial_message: "" }, "initial_message"],
  ];
  for (const [payload, field] of creates) {
    const { status, body } = await call("/v1/chats", { method: "POST", token: user.token, body: payload });
    assert.equal(status, 422, JSON.stringify(payload));
    assert.deepEqual(body.detail[0].loc, ["body", field]);
  }
  const updates = [{ title: "" }, { title: "y".repeat(121) }, { model_config_id: 5 }];
  for (const payload of updates) {
    const { status } = await call(`/v1/chats/${chat.id}`, {
      method: "PUT",
      token: user.token,
      body: payload,
    });
    assert.equal(status, 422, JSON.stringify(payload));
  }
  assert.equal((await call("/v1/chats/not-a-uuid", { token: user.token })).status, 422);
  const after = await call(`/v1/chats/${chat.id}`, { token: user.token });
  assert.deepEqual(after.body.chat, chat);
  assert.deepEqual(await countRows(user), { chats: 1, messages: 0 });
});

Deno.test("an update changes only the fields sent; model_config_id null clears the model", async () => {
  const user = await signUpUser();
  const model = await createModelConfig(user);
  const chat = await createChat(user, { title: "Old title" });

  const renamed = await call(`/v1/chats/${chat.id}`, {
    method: "PUT",
    token: user.token,
    body: { title: "New title" },
  });
  assert.equal(renamed.status, 200);
  assert.equal(renamed.body.title, "New title");
  assert.equal(renamed.body.model_config_id, null);
  assert.ok(Date.parse(renamed.body.updated_at) >= Date.parse(chat.updated_at));

  const withModel = await call(`/v1/chats/${chat.id}`, {
    method: "PUT",
    token: user.token,
    body: { model_config_id: model },
  });
  assert.equal(withModel.body.model_config_id, model);
  assert.equal(withModel.body.title, "New title");

  const unchanged = await call(`/v1/chats/${chat.id}`, { method: "PUT", token: user.token, body: {} });
  assert.deepEqual(unchanged.body, withModel.body);

  const foreign = await call(`/v1/chats/${chat.id}`, {
    method: "PUT",
    token: user.token,
    body: { model_config_id: crypto.randomUUID() },
  });
  assert.equal(foreign.status, 422);
  assert.equal(foreign.body.code, "model_config_not_found");

  const cleared = await call(`/v1/chats/${chat.id}`, {
    method: "PUT",
    token: user.token,
    body: { model_config_id: null },
  });
  assert.equal(cleared.body.model_config_id, null);
});

Deno.test("deleting a chat answers 204 and takes its messages with it", async () => {
  const user = await signUpUser();
  const chat = await createChat(user, { initial_message: "first" });
  await addMessage(user, chat.id, "second");
  assert.deepEqual(await countRows(user), { chats: 1, messages: 2 });

  const deleted = await call(`/v1/chats/${chat.id}`, { method: "DELETE", token: user.token });
  assert.equal(deleted.status, 204);
  assert.equal(deleted.body, "");
  assert.deepEqual(await countRows(user), { chats: 0, messages: 0 });
  assert.equal((await call(`/v1/chats/${chat.id}`, { token: user.token })).status, 404);
  assert.equal((await call(`/v1/chats/${chat.id}`, { method: "DELETE", token: user.token })).status, 404);
});

Deno.test("another user's chat is 404 on every route (never 403), and stays untouched", async () => {
  const [owner, stranger] = await Promise.all([signUpUser(), signUpUser()]);
  const chat = await createChat(owner, { title: "Private", initial_message: "secret" });
  const path = `/v1/chats/${chat.id}`;
  const attempts: [string, string, unknown?][] = [
    ["GET", path],
    ["PUT", path, { title: "Hijacked" }],
    ["DELETE", path],
    ["POST", `${path}/messages`, { content: "intrusion" }],
    ["GET", `${path}/messages`],
  ];
  for (const [method, url, body] of attempts) {
    const response = await call(url, { method, token: stranger.token, body });
    assert.equal(response.status, 404, `${method} ${url}`);
    assert.equal(response.body.code, "not_found");
  }
  const still = await call(path, { token: owner.token });
  assert.equal(still.body.chat.title, "Private");
  assert.deepEqual(still.body.messages.map((m: { content: string }) => m.content), ["secret"]);
  assert.deepEqual((await call("/v1/chats", { token: stranger.token })).body, []);
});
