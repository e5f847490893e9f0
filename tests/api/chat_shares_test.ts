/** Sharing a conversation through the gateway: snapshot, public JSON and HTML, replace, revoke, ownership. */
import assert from "node:assert/strict";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { addMessage, createChat, withDb } from "../helpers/chats.ts";

async function share(user: TestUser, chatId: string) {
  const response = await call(`/v1/chats/${chatId}/share`, { method: "POST", token: user.token });
  assert.equal(response.status, 200, JSON.stringify(response.body));
  return response.body as { share_id: string; url: string; created_at: string };
}

const sharedPath = (url: string) => url.slice(url.indexOf("/v1/shared/"));

Deno.test("a share is a public snapshot: title and messages' role, content, time, nothing of the owner", async () => {
  const user = await signUpUser();
  const chat = await createChat(user, { title: "Trip ideas", initial_message: "Where to go?" });
  await call(`/v1/chats/${chat.id}/messages`, {
    method: "POST",
    token: user.token,
    body: { role: "assistant", content: "Lisbon.", metadata: { provider: "openai", secret_note: "x" } },
  });

  const link = await share(user, chat.id);
  assert.match(link.share_id, /^[A-Za-z0-9_-]{43}$/, "32 random bytes, base64url");
  assert.ok(link.url.endsWith(`/functions/v1/api/v1/shared/${link.share_id}`), link.url);
  assert.ok(Date.parse(link.created_at) > 0);

  const open = await call(sharedPath(link.url));
  assert.equal(open.status, 200, "no token needed");
  assert.equal(open.headers.get("cache-control"), "no-store");
  assert.deepEqual(Object.keys(open.body).sort(), ["messages", "share_id", "shared_at", "title"]);
  assert.equal(open.body.title, "Trip ideas");
  assert.equal(open.body.share_id, link.share_id);
  assert.deepEqual(open.body.messages.map((m: { role: string; content: string }) => [m.role, m.content]), [
    ["user", "Where to go?"],
    ["assistant", "Lisbon."],
  ]);
  assert.ok(open.body.messages.every((m: Record<string, unknown>) => Object.keys(m).length === 3));
  assert.match(open.body.messages[0].created_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  const text = JSON.stringify(open.body);
  for (const secret of [user.id, user.email, chat.id, "secret_note", "openai"]) {
    assert.ok(!text.includes(secret));
  }

  // The snapshot does not follow the chat; sharing again replaces it under the same id.
  await addMessage(user, chat.id, "And after that?");
  assert.equal((await call(sharedPath(link.url))).body.messages.length, 2);
  const again = await share(user, chat.id);
  assert.equal(again.share_id, link.share_id);
  assert.equal(again.url, link.url);
  assert.equal((await call(sharedPath(link.url))).body.messages.length, 3);
  assert.ok(Date.parse(again.created_at) >= Date.parse(link.created_at));

  const exported = await call("/v1/users/profile/export", { token: user.token });
  assert.deepEqual(
    exported.body.shares.map((s: { share_id: string; chat_id: string }) => [s.share_id, s.chat_id]),
    [
      [link.share_id, chat.id],
    ],
  );
});

Deno.test("the shared page escapes everything: a <script> message is shown as text, under a strict CSP", async () => {
  const user = await signUpUser();
  const hostile = `<script>alert("x")</script><img src=x onerror=alert(1)> & 'quoted'`;
  const chat = await createChat(user, { title: `<b>bold</b> title`, initial_message: hostile });
  const link = await share(user, chat.id);

  const page = await call(sharedPath(link.url), {
    headers: { accept: "text/html,application/xhtml+xml,*/*" },
  });
  assert.equal(page.status, 200);
  assert.match(page.headers.get("content-type") ?? "", /^text\/html/);
  const csp = page.headers.get("content-security-policy") ?? "";
  assert.match(csp, /default-src 'none'/);
  assert.ok(!/script-src/.test(csp), "no script may run");
  const html = String(page.body);
  assert.ok(!html.includes("<script"), "no script element");
  assert.ok(!html.includes("<img"), "no element from the message");
  assert.ok(!html.includes("<b>"), "the title is text too");
  assert.ok(html.includes("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"), html);
  assert.ok(html.includes("&amp; &#39;quoted&#39;"));
  assert.ok(html.includes("&lt;b&gt;bold&lt;/b&gt; title"));

  const asJson = await call(sharedPath(link.url), { headers: { accept: "application/json, text/html" } });
  assert.equal(asJson.body.messages[0].content, hostile, "JSON keeps the text as it was written");
});

Deno.test("revoking a share, or deleting its chat, makes its link 404; unknown ids are 404", async () => {
  const user = await signUpUser();
  const chat = await createChat(user, { title: "Short-lived", initial_message: "hi" });
  const link = await share(user, chat.id);

  const revoked = await call(`/v1/chats/${chat.id}/share`, { method: "DELETE", token: user.token });
  assert.equal(revoked.status, 204);
  const gone = await call(sharedPath(link.url));
  assert.equal(gone.status, 404);
  assert.ok(gone.body.message && gone.body.detail && gone.body.code);
  assert.equal(
    (await call(`/v1/chats/${chat.id}/share`, { method: "DELETE", token: user.token })).status,
    404,
  );

  const second = await share(user, chat.id);
  assert.notEqual(second.share_id, link.share_id, "a share made after a revocation gets a new id");
  assert.equal((await call(`/v1/chats/${chat.id}`, { method: "DELETE", token: user.token })).status, 204);
  assert.equal((await call(sharedPath(second.url))).status, 404);
  const rows = await withDb((sql) => sql`select 1 from public.chat_shares where user_id = ${user.id}`);
  assert.equal(rows.length, 0, "the share went with its chat");

  for (const id of ["nope", "A".repeat(43), "x".repeat(201)]) {
    const unknown = await call(`/v1/shared/${id}`);
    assert.equal(unknown.status, id.length > 200 ? 422 : 404, id);
  }
});

Deno.test("only the owner shares or revokes a chat's share: another user gets 404 and changes nothing", async () => {
  const [owner, stranger] = await Promise.all([signUpUser(), signUpUser()]);
  const chat = await createChat(owner, { title: "Mine", initial_message: "private" });
  const link = await share(owner, chat.id);
  for (const method of ["POST", "DELETE"]) {
    const response = await call(`/v1/chats/${chat.id}/share`, { method, token: stranger.token });
    assert.equal(response.status, 404, method);
    assert.equal(response.body.code, "not_found");
  }
  assert.equal((await call(`/v1/chats/${chat.id}/share`, { method: "POST" })).status, 401);
  assert.equal((await call(sharedPath(link.url))).status, 200, "the owner's share still stands");
});
