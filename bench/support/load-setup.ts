/**
 * The account bench/load.ts drives: a signed-up user whose default model is answered by an
 * in-process fake LLM (tests/helpers/fake_llm.ts), one chat with a few messages to read, and a pool
 * of chats to post into, renewed so that no chat's history (sent to the provider on each turn)
 * grows through a long run.
 * @module
 */
import { call } from "../../tests/helpers/api.ts";
import { addMessage, createChat } from "../../tests/helpers/chats.ts";
import { type FakeLlm, startFakeLlm } from "../../tests/helpers/fake_llm.ts";
import { userWithFakeModel } from "../../tests/helpers/replies.ts";
import type { CannonRequest } from "./cannon.ts";

export interface LoadAccount {
  token: string;
  userId: string;
  fake: FakeLlm;
  /** The mixed traffic, in the order each connection cycles through it. */
  requests: CannonRequest[];
  /** New chats to post into; forgets the fake's recorded requests. */
  renewPostChats(): Promise<void>;
  [Symbol.asyncDispose](): Promise<void>;
}

const POST_CHATS = 16;
const READ_CHATS = 20;

export async function loadAccount(): Promise<LoadAccount> {
  const fake = startFakeLlm();
  const { user } = await userWithFakeModel(fake, "openai");
  const readChat = await createChat(user, { title: "Read me" });
  for (const text of ["Hello", "How are you?", "Fine."]) await addMessage(user, readChat.id, text);
  for (let i = 1; i < READ_CHATS; i++) await createChat(user, { title: `Chat ${i}` });
  const catalogue = await call("/v1/models", { token: user.token });
  if (catalogue.status !== 200) throw new Error(`GET /v1/models answered ${catalogue.status}`);

  let postChats: string[] = [];
  let next = 0;
  const renewPostChats = async () => {
    const made = await Promise.all(Array.from({ length: POST_CHATS }, () => createChat(user, {})));
    postChats = made.map((chat) => chat.id);
    fake.requests.length = 0;
  };
  await renewPostChats();

  return {
    token: user.token,
    userId: user.id,
    fake,
    requests: [
      { method: "GET", path: "/functions/v1/api/v1/chats" },
      { method: "GET", path: `/functions/v1/api/v1/chats/${readChat.id}` },
      {
        method: "POST",
        path: () => `/functions/v1/api/v1/chats/${postChats[next++ % postChats.length]}/messages`,
        body: JSON.stringify({ content: "Say hello." }),
      },
      { method: "GET", path: "/functions/v1/api/v1/models" },
    ],
    renewPostChats,
    [Symbol.asyncDispose]: () => fake.close(),
  };
}
