/**
 * Attachments through the gateway: POST /v1/attachments types files by their bytes (images ≤ 10 MiB,
 * UTF-8 text ≤ 1 MiB, else 415/413), stores them privately with a signed URL; a message claims its
 * own (≤ 8, the caller's, unsent) or is refused whole; replies carry images in each provider's wire
 * format (OpenAI-compatible `image_url` data URLs, Anthropic base64 `image` blocks) and text files
 * inlined with their names; a model without vision is a 422 before any provider call; deleting the
 * chat removes rows and files; the sweep expires never-sent ones.
 */
import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { createChat, withDb } from "../helpers/chats.ts";
import { env } from "../helpers/env.ts";
import { anthropicJson, openAiJson, startFakeLlm } from "../helpers/fake_llm.ts";
import { fileOf, formWith, HEIC, PDF, PNG } from "../helpers/files.ts";
import { addFakeModel } from "../helpers/replies.ts";

const MiB = 1024 * 1024;

async function attach(user: TestUser, bytes: Uint8Array, name: string, fields: Record<string, string> = {}) {
  return await call("/v1/attachments", {
    method: "POST",
    token: user.token,
    body: formWith(bytes, name, fields),
  });
}

const storedFiles = (user: TestUser) =>
  withDb((sql) =>
    sql<
      { name: string }[]
    >`select name from storage.objects where bucket_id = 'attachments' and name like ${`${user.id}/%`}`
  );
const rowsOf = (user: TestUser) =>
  withDb((sql) => sql<{ id: string }[]>`select id from public.attachments where user_id = ${user.id}`);

const post = (user: TestUser, chatId: string, body: Record<string, unknown>) =>
  call(`/v1/chats/${chatId}/messages`, { method: "POST", token: user.token, body });

Deno.test("attachments: typed by bytes, stored privately with a signed URL; refusals store nothing", async () => {
  const user = await signUpUser();
  const chat = await createChat(user);
  const image = await attach(user, PNG, "photo.txt", { chat_id: chat.id });
  assert.equal(image.status, 201, JSON.stringify(image.body));
  assert.equal(image.body.kind, "image");
  assert.equal(image.body.mime_type, "image/png");
  assert.equal(image.body.chat_id, chat.id);
  assert.equal(image.body.size, PNG.length);
  assert.ok(
    image.body.url.startsWith(`${env.url}/storage/v1/object/sign/attachments/${user.id}/`),
    image.body.url,
  );
  const download = await fetch(image.body.url);
  assert.deepEqual(new Uint8Array(await download.arrayBuffer()), PNG);

  const text = await attach(user, new TextEncoder().encode("a,b\n1,2\n"), "data.csv");
  assert.equal(text.status, 201, JSON.stringify(text.body));
  assert.deepEqual([text.body.kind, text.body.mime_type, text.body.name], ["text", "text/csv", "data.csv"]);

  const privateUrl = `${env.url}/storage/v1/object/public/attachments/${user.id}/${image.body.id}`;
  assert.equal(await fetch(privateUrl).then(async (r) => (await r.body?.cancel(), r.status)), 400);

  const before = (await storedFiles(user)).length;
  const refusals: [Uint8Array, string, Record<string, string>, number, string][] = [
    [PDF, "doc.pdf", {}, 415, "unsupported_media_type"],
    [HEIC, "p.heic", {}, 415, "unsupported_media_type"],
    [Uint8Array.of(0x68, 0x69, 0xff, 0xfe), "bad.txt", {}, 415, "unsupported_media_type"],
    [new TextEncoder().encode("x".repeat(MiB + 1)), "big.md", {}, 413, "payload_too_large"],
    [fileOf([...PNG], 10 * MiB + 1), "big.png", {}, 413, "payload_too_large"],
    [new Uint8Array(), "empty.txt", {}, 422, "empty_file"],
    [PNG, "p.png", { chat_id: "not-a-uuid" }, 422, "validation_error"],
    [PNG, "p.png", { chat_id: crypto.randomUUID() }, 404, "not_found"],
  ];
  for (const [bytes, name, fields, status, code] of refusals) {
    const answer = await attach(user, bytes, name, fields);
    assert.equal(answer.status, status, `${name}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, code, name);
  }
  assert.equal((await storedFiles(user)).length, before);
  assert.equal((await rowsOf(user)).length, 2);

  const stranger = await signUpUser();
  const theirs = await attach(stranger, PNG, "p.png", { chat_id: chat.id });
  assert.equal(theirs.status, 404, "another user's chat is not found");
});

Deno.test("a message claims its attachments, or is refused whole (422) and stores nothing", async () => {
  const user = await signUpUser();
  const chat = await createChat(user);
  const other = await createChat(user);
  const mine = await attach(user, PNG, "a.png");
  const elsewhere = await attach(user, PNG, "b.png", { chat_id: other.id });
  const strangers = await attach(await signUpUser(), PNG, "c.png");
  const count = () =>
    withDb((sql) => sql`select count(*)::int as n from public.messages where chat_id = ${chat.id}`);
  for (
    const [ids, code] of [
      [[strangers.body.id], "invalid_attachments"],
      [[crypto.randomUUID()], "invalid_attachments"],
      [[mine.body.id, mine.body.id], "invalid_attachments"],
      [[elsewhere.body.id], "attachment_in_other_chat"],
    ] as const
  ) {
    const answer = await post(user, chat.id, { content: "look", attachments: ids });
    assert.equal(answer.status, 422, JSON.stringify(answer.body));
    assert.equal(answer.body.code, code);
  }
  const tooMany = await post(user, chat.id, { content: "x", attachments: Array(9).fill(mine.body.id) });
  assert.equal(tooMany.status, 422);
  assert.equal((await count())[0].n, 0);

  const sent = await post(user, chat.id, { content: "look", attachments: [mine.body.id], role: "user" });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const [stored] = await withDb((sql) =>
    sql`select metadata, (select message_id from public.attachments where id = ${mine.body.id}) as linked
        from public.messages where chat_id = ${chat.id} and role = 'user'`
  );
  assert.deepEqual(stored.metadata.attachments, [
    { id: mine.body.id, kind: "image", mime_type: "image/png", name: "a.png", size: PNG.length },
  ]);
  assert.ok(stored.linked);
  const again = await post(user, chat.id, { content: "again", attachments: [mine.body.id] });
  assert.equal(again.body.code, "attachment_already_sent");
});

Deno.test("replies: OpenAI-compatible gets image_url data URLs, Anthropic base64 image blocks; text inlined", async () => {
  await using openai = startFakeLlm();
  await using anthropic = startFakeLlm();
  const user = await signUpUser();
  const gpt = await addFakeModel(user, openai, "openai");
  // Another model id: a saved model's name is unique per user.
  const claude = await addFakeModel(user, anthropic, "anthropic", { isDefault: false, model: "fake-small" });
  await withDb((sql) => sql`update public.model_configs set vision = true where user_id = ${user.id}`);
  const notes = new TextEncoder().encode("# Notes\nremember the milk\n");

  const chat = await createChat(user, { model_config_id: gpt.modelId });
  const image = await attach(user, PNG, "cat.png", { chat_id: chat.id });
  const text = await attach(user, notes, "notes.md", { chat_id: chat.id });
  openai.script({ json: openAiJson({ text: "A cat." }) });
  const reply = await post(user, chat.id, {
    content: "What is this?",
    attachments: [image.body.id, text.body.id],
  });
  assert.equal(reply.status, 200, JSON.stringify(reply.body));
  const base64 = Buffer.from(PNG).toString("base64");
  const chatCalls = (fake: typeof openai) =>
    fake.requests.filter((r) => r.path.endsWith("completions") || r.path.endsWith("/messages"));
  assert.deepEqual(chatCalls(openai)[0].body.messages, [{
    role: "user",
    content: [
      {
        type: "text",
        text: "What is this?\n\n[Attached file: notes.md]\n```\n# Notes\nremember the milk\n\n```",
      },
      { type: "image_url", image_url: { url: `data:image/png;base64,${base64}` } },
    ],
  }]);

  const chat2 = await createChat(user, { model_config_id: claude.modelId });
  const image2 = await attach(user, PNG, "cat.png");
  anthropic.script({ json: anthropicJson({ text: "A cat." }) });
  const reply2 = await post(user, chat2.id, { content: "And this?", attachments: [image2.body.id] });
  assert.equal(reply2.status, 200, JSON.stringify(reply2.body));
  assert.deepEqual(chatCalls(anthropic)[0].body.messages, [{
    role: "user",
    content: [
      { type: "image", source: { type: "base64", media_type: "image/png", data: base64 } },
      { type: "text", text: "And this?" },
    ],
  }]);
});

Deno.test("a model without vision is a 422 model_lacks_vision before any provider call; nothing stored", async () => {
  await using fake = startFakeLlm();
  const user = await signUpUser();
  const model = await addFakeModel(user, fake, "groq");
  const chat = await createChat(user, { model_config_id: model.modelId });
  const image = await attach(user, PNG, "cat.png");
  // Neither settings.vision nor the catalogue's modalities say it takes images.
  const unknown = await post(user, chat.id, { content: "see", attachments: [image.body.id] });
  assert.equal(unknown.status, 422, JSON.stringify(unknown.body));
  assert.equal(unknown.body.code, "model_lacks_vision");
  await withDb((sql) => sql`update public.model_configs set vision = false where id = ${model.modelId}`);
  const refused = await post(user, chat.id, { content: "see", attachments: [image.body.id] });
  assert.equal(refused.body.code, "model_lacks_vision");
  assert.equal(fake.requests.filter((r) => r.path.endsWith("/chat/completions")).length, 0);
  const [{ n }] = await withDb((sql) =>
    sql`select count(*)::int as n from public.messages where chat_id = ${chat.id}`
  );
  assert.equal(n, 0);
  // A text file needs no vision.
  const text = await attach(user, new TextEncoder().encode("plain"), "a.txt");
  fake.script({ json: openAiJson({ text: "ok" }) });
  const answered = await post(user, chat.id, { content: "read", attachments: [text.body.id] });
  assert.equal(answered.status, 200, JSON.stringify(answered.body));
});

Deno.test("deleting a chat removes its attachments and files; never-sent ones expire after 24 h", async () => {
  const user = await signUpUser();
  const chat = await createChat(user);
  const a = await attach(user, PNG, "a.png", { chat_id: chat.id });
  assert.equal((await storedFiles(user)).length, 1);
  assert.equal((await call(`/v1/chats/${chat.id}`, { method: "DELETE", token: user.token })).status, 204);
  assert.equal((await rowsOf(user)).length, 0);
  assert.equal((await storedFiles(user)).length, 0);
  assert.ok(a.body.id);

  const stale = await attach(user, PNG, "old.png");
  const fresh = await attach(user, PNG, "new.png");
  await withDb((sql) =>
    sql`update public.attachments set created_at = now() - interval '25 hours' where id = ${stale.body.id}`
  );
  const swept = await withDb((sql) =>
    sql<{ name: string }[]>`select private.sweep_attachments(1000) as name`
  );
  assert.ok(swept.some((row) => row.name === `${user.id}/${stale.body.id}`));
  assert.deepEqual((await rowsOf(user)).map((r) => r.id), [fresh.body.id]);
});
