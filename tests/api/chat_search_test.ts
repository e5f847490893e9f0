/** Searching chats through the gateway: titles and messages, ranking, snippets, web-style queries, isolation. */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { addMessage, createChat } from "../helpers/chats.ts";

interface Hit {
  chat_id: string;
  title: string;
  message_id: string | null;
  role: string | null;
  snippet: string;
  rank: number;
  updated_at: string;
}

async function search(user: TestUser, query: string) {
  const response = await call<Hit[]>(`/v1/chats/search?${query}`, { token: user.token });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body;
}

Deno.test("search finds the caller's titles and messages, best first, with ** snippets", async () => {
  const [user, stranger] = await Promise.all([signUpUser(), signUpUser()]);
  const word = `zq${crypto.randomUUID().slice(0, 8)}`;
  const titled = await createChat(user, { title: `Planning ${word} trip` });
  const chat = await createChat(user, { title: "Other" });
  const once = await addMessage(user, chat.id, `Tell me about ${word} and the sea`);
  const twice = await addMessage(user, chat.id, `${word} ${word} beaches near Lisbon`);
  await addMessage(user, chat.id, "nothing relevant here");
  const foreign = await createChat(stranger, {
    title: `${word} stranger`,
    initial_message: `${word} secret`,
  });

  const hits = await search(user, `q=${word}`);
  assert.equal(hits.length, 3);
  const byMessage = new Map(hits.map((hit) => [hit.message_id, hit]));
  assert.equal(byMessage.get(null)?.chat_id, titled.id);
  assert.equal(byMessage.get(null)?.role, null);
  assert.equal(byMessage.get(null)?.title, `Planning ${word} trip`);
  assert.equal(byMessage.get(once.id)?.role, "user");
  assert.equal(byMessage.get(once.id)?.title, "Other");
  assert.ok(byMessage.get(once.id)?.snippet.includes(`**${word}**`), byMessage.get(once.id)?.snippet);
  assert.ok(hits.every((hit) => hit.chat_id !== foreign.id), "never another user's chats");
  assert.ok(byMessage.get(twice.id)!.rank > byMessage.get(once.id)!.rank, "two matches rank above one");
  assert.deepEqual(hits.map((hit) => hit.rank), [...hits.map((hit) => hit.rank)].sort((a, b) => b - a));
  assert.ok(hits.every((hit) => !Number.isNaN(Date.parse(hit.updated_at))));

  assert.equal((await search(user, `q=${word}&limit=1`)).length, 1);
  assert.deepEqual((await search(stranger, `q=${word}`)).map((hit) => hit.chat_id), [foreign.id, foreign.id]);
});

Deno.test("search takes web-style queries: phrases, -exclusions, or; in any language", async () => {
  const user = await signUpUser();
  const tag = `t${crypto.randomUUID().slice(0, 6)}`;
  const chat = await createChat(user, { title: "Languages" });
  const sea = await addMessage(user, chat.id, `${tag} deep blue sea`);
  const sky = await addMessage(user, chat.id, `${tag} blue deep sky`);
  const greek = await addMessage(user, chat.id, `${tag} Καλημέρα κόσμε, Straße`);

  const ids = async (q: string) =>
    (await search(user, `q=${encodeURIComponent(q)}`)).map((hit) => hit.message_id).sort();
  assert.deepEqual(await ids(`${tag} "deep blue"`), [sea.id]);
  assert.deepEqual(await ids(`${tag} blue -sky`), [sea.id]);
  assert.deepEqual(await ids(`${tag} sky or Straße`), [sky.id, greek.id].sort());
  assert.deepEqual(await ids("καλημέρα"), [greek.id], "lower-cased, not stemmed, in any script");
  assert.deepEqual(await ids(`${tag} <script>`), [], "punctuation is no syntax error");
  assert.deepEqual(await ids("!!!"), []);
});

Deno.test("search: an empty q is 422, and /v1/chats/search is not taken for a chat id", async () => {
  const user = await signUpUser();
  for (const query of ["", "q=", "q=%20%20", `q=${"x".repeat(501)}`, "q=a&limit=0", "q=a&limit=x"]) {
    const response = await call(`/v1/chats/search?${query}`, { token: user.token });
    assert.equal(response.status, 422, query);
    assert.ok(response.body.message && response.body.code, JSON.stringify(response.body));
  }
  assert.equal((await call("/v1/chats/search?q=x", { token: "bad" })).status, 401);
});
