import assert from "node:assert/strict";
import { call } from "../helpers/api.ts";
import { isLocalStack } from "../helpers/env.ts";

Deno.test({
  name: "the local seed's demo account signs in and has its welcome chat",
  ignore: !isLocalStack,
  fn: async () => {
    const signIn = await call("/v1/auth/signin", {
      method: "POST",
      body: { email: "demo@pocketllm.local", password: "pocketllm-demo" },
    });
    assert.equal(signIn.status, 200);
    assert.equal(signIn.body.user.full_name, "Demo User");
    const chats = await call("/v1/chats", { token: signIn.body.tokens.access_token });
    const welcome = chats.body.find((chat: { title: string }) => chat.title === "Welcome to PocketLLM");
    assert.ok(welcome, "the welcome chat is listed");
    const messages = await call(`/v1/chats/${welcome.id}/messages`, {
      token: signIn.body.tokens.access_token,
    });
    assert.deepEqual(messages.body.map((m: { role: string }) => m.role), ["user", "assistant"]);
  },
});
