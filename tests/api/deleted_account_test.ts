/**
 * A deleted account's access token still verifies (Auth tokens are stateless until they expire),
 * so the api refuses it where it takes the user's role in the database: 401 on every kind of route,
 * never a 500 from a foreign key, and the function keeps serving afterwards.
 */
import assert from "node:assert/strict";
import { call, signUpUser } from "../helpers/api.ts";
import { deleteUsers } from "../helpers/auth_platform.ts";
import { createChat } from "../helpers/chats.ts";

Deno.test("a deleted user's still-valid token is a 401 everywhere, and the api stays up", async () => {
  const gone = await signUpUser();
  const chat = await createChat(gone, { title: "soon gone" });
  await deleteUsers(gone.id);
  const job = crypto.randomUUID();
  const routes: [string, string, unknown?][] = [
    ["GET", "/v1/users/profile"],
    ["PUT", "/v1/users/profile", { bio: "still here?" }],
    ["GET", `/v1/users/${gone.id}`],
    ["GET", "/v1/chats"],
    ["POST", "/v1/chats", { title: "after deletion" }],
    ["GET", `/v1/chats/${chat.id}`],
    ["GET", "/v1/providers"],
    ["GET", "/v1/models/saved"],
    ["GET", "/v1/jobs/image-generation/models"],
    ["POST", "/v1/jobs/image-generation/estimate-cost", { model: "dall-e-3" }],
    ["DELETE", `/v1/jobs/${job}`],
    ["POST", `/v1/jobs/${job}/retry`],
  ];
  for (const [method, path, body] of routes) {
    const result = await call(path, { method, token: gone.token, body });
    assert.equal(result.status, 401, `${method} ${path}: ${JSON.stringify(result.body)}`);
    assert.equal(result.body.code, "invalid_token");
  }
  const alive = await signUpUser();
  assert.equal((await call("/v1/chats", { token: alive.token })).status, 200, "the api still answers");
});
