/**
 * POST /v1/users/profile/avatar through the gateway: the type from the bytes, the 5 MiB cut-off
 * (declared or streamed), empty and missing files, the public URL on the public API URL, the old file
 * removed, and nothing stored on refusal. Storage's policies keep users to their own folder.
 */
import assert from "node:assert/strict";
import { createClient } from "@supabase/supabase-js";
import { call, signUpUser, type TestUser } from "../helpers/api.ts";
import { apiUrl } from "../helpers/api.ts";
import { db, env } from "../helpers/env.ts";
import { fileOf, formWith, GIF, HEIC, JPEG, PDF, PNG } from "../helpers/files.ts";

const AVATAR = "/v1/users/profile/avatar";
const MiB = 1024 * 1024;
const sql = db();

const upload = (user: TestUser, form: FormData) =>
  call(AVATAR, { method: "POST", token: user.token, body: form });

async function avatarFiles(user: TestUser): Promise<string[]> {
  const rows = await sql<{ name: string }[]>`
    select name from storage.objects where bucket_id = 'user-assets' and name like ${`profiles/${user.id}/%`}`;
  return rows.map((row) => row.name);
}

async function avatarUrl(user: TestUser): Promise<string | null> {
  return (await call("/v1/users/profile", { token: user.token })).body.avatar_url;
}

Deno.test("avatar: stored by its bytes, public URL on the gateway, the previous file removed", async () => {
  const user = await signUpUser();
  const first = await upload(user, formWith(PNG, "selfie.jpg", {}, "file", "image/jpeg"));
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.id, user.id);
  const prefix = `${env.url}/storage/v1/object/public/user-assets/profiles/${user.id}/avatar-`;
  assert.ok(first.body.avatar_url.startsWith(prefix), first.body.avatar_url);
  assert.match(first.body.avatar_url, /\/avatar-\d+\.png$/);
  assert.equal(await avatarUrl(user), first.body.avatar_url);

  const download = await fetch(first.body.avatar_url);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get("content-type"), "image/png");
  assert.deepEqual(new Uint8Array(await download.arrayBuffer()), PNG);

  const second = await upload(user, formWith(HEIC, "photo.heic"));
  assert.equal(second.status, 200, JSON.stringify(second.body));
  assert.match(second.body.avatar_url, /\.heic$/);
  assert.notEqual(second.body.avatar_url, first.body.avatar_url);
  const storedAs = (url: string) => new URL(url).pathname.split("/user-assets/")[1];
  assert.deepEqual(await avatarFiles(user), [storedAs(second.body.avatar_url)]);
  const gone = await fetch(first.body.avatar_url);
  assert.equal(gone.status, 400);
  await gone.body?.cancel();

  const third = await upload(user, formWith(JPEG, "x"));
  assert.match(third.body.avatar_url, /\.jpg$/);
  assert.equal((await avatarFiles(user)).length, 1);
});

Deno.test("avatar: refused uploads answer clearly and store nothing", async () => {
  const user = await signUpUser();
  const cases: [string, FormData | string, number, string][] = [
    ["a PDF named .png", formWith(PDF, "me.png", {}, "file", "image/png"), 415, "unsupported_media_type"],
    ["a GIF", formWith(GIF, "me.gif"), 415, "unsupported_media_type"],
    ["an empty file", formWith(new Uint8Array(), "me.png"), 422, "empty_file"],
    ["no file field", formWith(PNG, "me.png", {}, "avatar"), 422, "validation_error"],
    ["JSON", JSON.stringify({ file: "x" }), 415, "unsupported_media_type"],
  ];
  for (const [what, body, status, code] of cases) {
    const headers: Record<string, string> = typeof body === "string"
      ? { "content-type": "application/json" }
      : {};
    const answer = await call(AVATAR, { method: "POST", token: user.token, body, headers });
    assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
    assert.equal(answer.body.code, code, what);
    assert.equal(typeof answer.body.message, "string");
  }
  assert.deepEqual(await avatarFiles(user), []);
  assert.equal(await avatarUrl(user), null);
  const anonymous = await call(AVATAR, { method: "POST", body: formWith(PNG, "a.png") });
  assert.equal(anonymous.status, 401);
});

Deno.test("avatar: over 5 MiB is a 413 with its sentence, declared or streamed, and nothing is stored", async () => {
  const user = await signUpUser();
  const big = fileOf([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 5 * MiB + 1);
  const declared = await upload(user, formWith(big, "big.png"));
  assert.equal(declared.status, 413, JSON.stringify(declared.body));
  assert.equal(declared.body.message, "Avatar files must be 5 MB or smaller.");
  assert.equal(declared.body.code, "payload_too_large");

  // Chunked, no length declared: the file's own count cuts it off, and the answer still arrives.
  const boundary = "avatarboundary";
  const head = new TextEncoder().encode(
    `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="big.png"\r\n` +
      "content-type: image/png\r\n\r\n",
  );
  let chunks = 0;
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
      controller.enqueue(PNG);
    },
    pull(controller) {
      if (++chunks > 7 * 16) controller.close();
      else controller.enqueue(new Uint8Array(64 * 1024));
    },
  });
  const streamed = await fetch(`${apiUrl}${AVATAR}`, {
    method: "POST",
    headers: {
      authorization: `Bearer ${user.token}`,
      "content-type": `multipart/form-data; boundary=${boundary}`,
    },
    body,
  });
  const answer = await streamed.json();
  assert.equal(streamed.status, 413, JSON.stringify(answer));
  assert.equal(answer.message, "Avatar files must be 5 MB or smaller.");

  const exactly = await upload(user, formWith(fileOf([...PNG], 5 * MiB), "max.png"));
  assert.equal(exactly.status, 200, JSON.stringify(exactly.body));
  assert.equal((await avatarFiles(user)).length, 1);
});

Deno.test("avatar storage: a user writes only under profiles/<own id>/", async () => {
  const [alice, bob] = [await signUpUser(), await signUpUser()];
  const storage = (user: TestUser) =>
    createClient(env.url, env.anonKey, {
      auth: { persistSession: false, autoRefreshToken: false },
      global: { headers: { Authorization: `Bearer ${user.token}` } },
    }).storage.from("user-assets");
  const own = await storage(alice).upload(`profiles/${alice.id}/avatar-1.png`, PNG, {
    contentType: "image/png",
  });
  assert.equal(own.error, null);
  const intoBob = await storage(alice).upload(`profiles/${bob.id}/avatar-1.png`, PNG, {
    contentType: "image/png",
  });
  assert.ok(intoBob.error, "writing into another user's folder is refused");
  const outside = await storage(alice).upload(`${alice.id}/avatar.png`, PNG, { contentType: "image/png" });
  assert.ok(outside.error, "writing outside profiles/ is refused");
  const removeBobs = await storage(alice).remove([`profiles/${bob.id}/x.png`]);
  assert.deepEqual(removeBobs.data ?? [], []);
  await storage(alice).remove([`profiles/${alice.id}/avatar-1.png`]);
});

Deno.test("erasing an account removes its avatar file", async () => {
  const user = await signUpUser();
  const uploaded = await upload(user, formWith(PNG, "a.png"));
  assert.equal(uploaded.status, 200);
  assert.equal((await avatarFiles(user)).length, 1);
  const erased = await call("/v1/users/profile?immediate=true", { method: "DELETE", token: user.token });
  assert.equal(erased.status, 200);
  assert.deepEqual(await avatarFiles(user), []);
  const gone = await fetch(uploaded.body.avatar_url);
  assert.equal(gone.status, 400);
  await gone.body?.cancel();
});

Deno.test({
  name: "close",
  fn: () => sql.end(),
});
