/**
 * The PocketLLM app's journey, end to end, with the bodies its screens send (older builds' camelCase
 * included, and fields the contract does not name) and every field its parsers read checked for the
 * type they need: sign-up, sign-in, refresh, profile and onboarding, language and appearance, providers,
 * catalogue, import with shared settings, saved models, default, a chat with a reply, deletion, erase.
 */
import assert from "node:assert/strict";
import { call, randomEmail, type TestUser } from "../helpers/api.ts";
import {
  ACCOUNT_STATUS,
  CHAT,
  ERROR,
  MESSAGE,
  MODEL_CONFIG,
  MODEL_SETTINGS,
  MODELS_ENVELOPE,
  parses,
  PROFILE,
  PROVIDER,
  PROVIDER_MODEL,
  PROVIDER_STATUS,
  SESSION,
  TOKENS,
  USER,
} from "../helpers/app_parser.ts";
import { openAiJson, startFakeLlm } from "../helpers/fake_llm.ts";
import { testKey } from "../helpers/providers.ts";

const send = (token: string | undefined, method: string, path: string, body?: unknown) =>
  call(path, { method, token, body });

/** Every answer of the journey is either what the screen parses or an error it can show. */
function ok(result: { status: number; body: unknown }, where: string) {
  assert.ok(
    result.status >= 200 && result.status < 300,
    `${where}: ${result.status} ${JSON.stringify(result.body)}`,
  );
  return result.body as Record<string, unknown> & unknown[];
}

async function signUpAndIn(): Promise<TestUser> {
  const email = randomEmail("app");
  const password = `app-${crypto.randomUUID()}`;
  const signUp = ok(
    await send(undefined, "POST", "/v1/auth/signup", {
      email,
      password,
      full_name: "Mobile Tester",
      name: "x",
    }),
    "sign-up",
  );
  parses(signUp.user, USER, "signup.user");
  parses(signUp.tokens, TOKENS, "signup.tokens");
  parses(signUp.account_status, ACCOUNT_STATUS, "signup.account_status");

  const duplicate = await send(undefined, "POST", "/v1/auth/signup", { email, password });
  assert.equal(duplicate.status, 422, "a duplicate sign-up is never re-sent to another host");
  parses(duplicate.body, ERROR, "duplicate sign-up");

  const signIn = ok(
    await send(undefined, "POST", "/v1/auth/signin", { email, password, remember_me: true }),
    "sign-in",
  );
  parses(signIn.user, USER, "signin.user");
  parses(signIn.tokens, TOKENS, "signin.tokens");
  parses(signIn.session, SESSION, "signin.session");
  const tokens = signIn.tokens as Record<string, string>;
  const refreshed = ok(
    await send(undefined, "POST", "/v1/auth/refresh", { refresh_token: tokens.refresh_token }),
    "refresh",
  );
  parses(refreshed.tokens, TOKENS, "refresh.tokens");
  const fresh = refreshed.tokens as Record<string, string>;
  const user = signIn.user as Record<string, string>;
  return {
    id: user.id,
    email,
    password,
    token: fresh.access_token,
    refreshToken: fresh.refresh_token,
    sessionId: "",
  };
}

async function profileScreens(user: TestUser) {
  parses(ok(await send(user.token, "GET", "/v1/users/profile"), "profile"), PROFILE, "profile");
  const tag = crypto.randomUUID().slice(0, 6);
  const edited = ok(
    await send(user.token, "PUT", "/v1/users/profile", {
      full_name: "Mobile Tester",
      username: `Mobile Tester ${tag}`,
      bio: "On the go",
      email: user.email,
      avatarUrl: null,
    }),
    "edit profile",
  );
  parses(edited, PROFILE, "edited profile");
  assert.equal(edited.username, `Mobile Tester ${tag}`);

  const survey = ok(
    await send(user.token, "POST", "/v1/users/profile/onboarding", {
      onboarding: {
        primary_goal: "Learn faster",
        interests: ["coding", "writing"],
        experience_level: "beginner",
        usage_frequency: "daily",
        other_notes: null,
      },
      profession: "Engineer",
      heard_from: "friend",
      age: 29,
      survey_completed: true,
    }),
    "onboarding",
  );
  parses(survey, PROFILE, "onboarded profile");
  assert.equal(survey.survey_completed, true);

  const language = ok(
    await send(user.token, "PUT", "/v1/users/profile", { onboarding: { language: "es" } }),
    "language",
  );
  assert.deepEqual(language.onboarding, {
    primary_goal: "Learn faster",
    interests: ["coding", "writing"],
    experience_level: "beginner",
    usage_frequency: "daily",
    other_notes: null,
    language: "es",
  });
  const appearance = { theme_mode: "dark", accent_color: "#6750A4", font_scale: 1.1 };
  const styled = ok(
    await send(user.token, "PUT", "/v1/users/profile", { preferences: { appearance } }),
    "appearance",
  );
  assert.deepEqual(styled.preferences, { appearance });
  const reread = ok(await send(user.token, "GET", "/v1/users/profile"), "profile again");
  assert.equal((reread.onboarding as Record<string, string>).language, "es");
  assert.deepEqual(reread.preferences, { appearance });
}

async function providerScreens(user: TestUser, baseUrl: string) {
  const activated = ok(
    await send(user.token, "POST", "/v1/providers/activate", {
      provider: "openai",
      apiKey: testKey(),
      baseUrl,
      displayName: "My OpenAI",
      metadata: { timeout: 30 },
      isActive: true,
    }),
    "activate",
  );
  parses(activated.provider, PROVIDER, "activated provider");
  for (const row of ok(await send(user.token, "GET", "/v1/providers"), "providers")) {
    parses(row, PROVIDER, "provider");
  }
  for (const row of ok(await send(user.token, "GET", "/v1/providers/status"), "status")) {
    parses(row, PROVIDER_STATUS, "provider status");
  }
  for (const path of ["/v1/models", "/v1/providers/openai/models"]) {
    const catalogue = ok(await send(user.token, "GET", path), path);
    parses(catalogue, MODELS_ENVELOPE, path);
    assert.equal(catalogue.using_fallback, false);
    for (const model of catalogue.models as unknown[]) parses(model, PROVIDER_MODEL, `${path} model`);
  }
  return (activated.provider as Record<string, string>).id;
}

async function modelScreens(user: TestUser, providerRowId: string) {
  const imported = ok(
    await send(user.token, "POST", "/v1/models/import", {
      provider: "openai",
      provider_id: providerRowId,
      models: [{
        id: "fake-model",
        name: "Fake",
        description: "The fake's model",
        metadata: { vision: false },
      }],
      sharedSettings: {
        temperature: 0.4,
        max_tokens: 1024,
        system_prompt: "Answer briefly.",
        streaming: true,
      },
      sync: true,
    }),
    "import",
  );
  const onDevice = ok(
    await send(user.token, "POST", "/v1/models/import", { provider: "ollama", models: ["llama3.2:3b"] }),
    "import ollama",
  );
  for (const model of [...imported, ...onDevice]) {
    parses(model, MODEL_CONFIG, "imported model");
    parses((model as Record<string, unknown>).settings, MODEL_SETTINGS, "imported settings");
  }
  const saved = ok(await send(user.token, "GET", "/v1/models/saved"), "saved");
  assert.equal(saved.length, 2);
  const [model] = imported as { id: string }[];
  const made = ok(
    await send(user.token, "POST", `/v1/models/${model.id}/default`, { is_default: true }),
    "default",
  );
  parses(made, MODEL_CONFIG, "default model");
  assert.equal(made.is_default, true);
  return model.id;
}

async function chatScreens(user: TestUser, modelId: string, fake: ReturnType<typeof startFakeLlm>) {
  const chat = ok(
    await send(user.token, "POST", "/v1/chats", {
      title: "Trip ideas",
      model_config_id: modelId,
      pinned: false,
    }),
    "new chat",
  );
  parses(chat, CHAT, "chat");
  fake.script({ json: openAiJson({ text: "Lisbon, in spring." }) });
  const reply = ok(
    await send(user.token, "POST", `/v1/chats/${chat.id}/messages`, {
      content: "Where should I go?",
      role: "user",
      stream: false,
      metadata: { client_message_id: "local-1" },
      attachments: [],
    }),
    "send message",
  );
  parses(reply, MESSAGE, "reply");
  assert.equal(reply.content, "Lisbon, in spring.");
  assert.equal(fake.requests.at(-1)!.body.temperature, 0.4);
  const detail = ok(await send(user.token, "GET", `/v1/chats/${chat.id}`), "chat detail");
  parses(detail.chat, CHAT, "detail.chat");
  for (const message of detail.messages as unknown[]) parses(message, MESSAGE, "detail message");
  for (const row of ok(await send(user.token, "GET", "/v1/chats"), "chats")) parses(row, CHAT, "chat row");
}

async function deletionScreens(user: TestUser) {
  const scheduled = ok(await send(user.token, "POST", "/v1/users/profile/deletion", {}), "schedule deletion");
  assert.equal(scheduled.status, "pending");
  const canceled = ok(await send(user.token, "POST", "/v1/users/profile/deletion/cancel"), "cancel deletion");
  assert.equal(canceled.canceled, true);
  parses(canceled.profile, PROFILE, "canceled.profile");
  const erased = ok(await send(user.token, "DELETE", "/v1/users/profile?immediate=true"), "erase");
  assert.equal(erased.status, "deleted");
  const after = await send(user.token, "GET", "/v1/users/profile");
  assert.equal(after.status, 401);
  parses(after.body, ERROR, "after erase");
}

Deno.test("the app's journey, from sign-up to erasing the account, parses at every step", async () => {
  await using fake = startFakeLlm();
  const user = await signUpAndIn();
  await profileScreens(user);
  const providerRowId = await providerScreens(user, fake.baseUrl);
  const modelId = await modelScreens(user, providerRowId);
  await chatScreens(user, modelId, fake);
  await deletionScreens(user);
});

Deno.test("errors the app can meet all carry a readable message, and none is a status it re-sends", async () => {
  const user = await signUpAndIn();
  const attempts: [string, string, unknown?][] = [
    ["POST", "/v1/auth/signin", { email: user.email, password: "wrong-password" }],
    ["POST", "/v1/auth/signup", { email: "not-an-email", password: "x" }],
    ["PUT", "/v1/users/profile", { age: 7 }],
    ["PUT", "/v1/users/profile", { bio: "null \u0000 inside" }],
    ["POST", "/v1/providers/activate", { provider: "skynet", apiKey: testKey() }],
    ["PATCH", "/v1/providers/groq", { isActive: true }],
    ["POST", "/v1/models/import", { provider: "groq", models: ["x"] }],
    ["POST", "/v1/chats", { title: "" }],
    ["PUT", "/v1/users/profile", "bio=sent as text"],
  ];
  for (const [method, path, body] of attempts) {
    const result = await send(user.token, method, path, body);
    assert.ok(result.status >= 400 && result.status < 500, `${method} ${path}: ${result.status}`);
    assert.ok(
      ![404, 405, 409].includes(result.status),
      `${method} ${path}: ${result.status} is re-sent by the app`,
    );
    parses(result.body, ERROR, `${method} ${path}`);
  }
});
