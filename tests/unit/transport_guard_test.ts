/**
 * The transport runs the destination guard before every connection (shared/llm/transport.ts): a
 * refused URL is a permanent `refused` ProviderError and nothing connects (a canary listener
 * counts); redirects are not followed; model lists, chats, image generations and image URL
 * downloads all go through it. Provider calls to a "public" address are served by a stubbed fetch.
 */
import assert from "node:assert/strict";
import { fetchModelCatalogue } from "../../shared/llm/catalogue/client.ts";
import { streamChat } from "../../shared/llm/chat/mod.ts";
import { setDestinationPolicy } from "../../shared/llm/destinations.ts";
import { ProviderError } from "../../shared/llm/errors.ts";
import { generateImages } from "../../shared/llm/images.ts";
import { deadline, send } from "../../shared/llm/transport.ts";
import { canary } from "../helpers/canary.ts";

const KEY = "sk-test-0123456789abcdef";
setDestinationPolicy({ allowPrivate: false });

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(() => null, (e) => e);
  assert.ok(error instanceof ProviderError, String(error));
  return error;
}

Deno.test("a refused URL is a permanent 'refused' error and nothing connects to it", async () => {
  const listener = canary();
  try {
    const urls = [
      `http://127.0.0.1:${listener.state.port}/v1/models`,
      `http://2130706433:${listener.state.port}/v1/models`,
      `http://[::ffff:127.0.0.1]:${listener.state.port}/`,
      `http://localhost:${listener.state.port}/`,
    ];
    for (const url of urls) {
      const error = await failure(send({ provider: "openai_compatible", apiKey: KEY, url }, deadline(2000)));
      assert.equal(error.kind, "refused");
      assert.equal(error.permanent, true);
      assert.equal(error.status, null);
      assert.match(
        error.message,
        /^openai_compatible was not called: the destination was refused \(the host is /,
      );
      assert.ok(!error.message.includes(String(listener.state.port)), error.message);
    }
    assert.equal(listener.state.connections, 0);
  } finally {
    listener.close();
  }
});

Deno.test("a redirect is not followed: a permanent failure naming only its status", async () => {
  setDestinationPolicy({ allowPrivate: true });
  const listener = canary();
  const location = `http://127.0.0.1:${listener.state.port}/latest/meta-data`;
  const server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    () => new Response("moved", { status: 302, headers: { location } }),
  );
  try {
    const url = `http://127.0.0.1:${server.addr.port}/v1/models`;
    const error = await failure(send({ provider: "openai_compatible", apiKey: KEY, url }, deadline(2000)));
    assert.equal(error.kind, "bad_response");
    assert.equal(error.status, 302);
    assert.equal(error.permanent, true);
    assert.match(error.message, /answered with a redirect \(302\), which is not followed/);
    assert.ok(!error.message.includes("meta-data") && !error.message.includes("moved"), error.message);
    assert.equal(listener.state.connections, 0);
  } finally {
    setDestinationPolicy({ allowPrivate: false });
    listener.close();
    await server.shutdown();
  }
});

/** Replaces fetch for one test: `handler` answers, and every URL fetched is recorded. */
async function withStubbedFetch(
  handler: (url: string) => Response,
  test: (fetched: string[]) => Promise<void>,
) {
  const original = globalThis.fetch;
  const fetched: string[] = [];
  globalThis.fetch = (input: string | URL | Request) => {
    const url = input instanceof Request ? input.url : String(input);
    fetched.push(url);
    return Promise.resolve(handler(url));
  };
  try {
    await test(fetched);
  } finally {
    globalThis.fetch = original;
  }
}

const PUBLIC_PROVIDER = "http://93.184.216.34/v1";

Deno.test("an image URL the provider returns is checked before it is downloaded", async () => {
  const forms = [
    ["http://169.254.169.254/latest/meta-data/iam", "the host is a link-local address"],
    ["http://0x7f000001:8080/x.png", "the host is a loopback address"],
    ["http://[::1]/x.png", "the host is a loopback address"],
    ["http://localhost./x.png", "the host is a local-only name"],
    ["file:///etc/passwd", "the scheme is not http or https"],
  ];
  for (const [imageUrl, phrase] of forms) {
    await withStubbedFetch(() => Response.json({ data: [{ url: imageUrl }] }), async (fetched) => {
      const error = await failure(generateImages(
        { provider: "openai", api: "openai", baseUrl: PUBLIC_PROVIDER, apiKey: KEY },
        { prompt: "a cat", model: "dall-e-3" },
        { signal: new AbortController().signal },
      ));
      assert.equal(error.kind, "refused");
      assert.equal(error.permanent, true);
      assert.equal(
        error.message,
        `openai sent an image URL whose destination was refused (${phrase}; only public internet addresses are called)`,
      );
      assert.deepEqual(fetched, [`${PUBLIC_PROVIDER}/images/generations`]);
    });
  }
});

Deno.test("model lists and chats to a refused base URL never fetch", async () => {
  await withStubbedFetch(() => new Response("unreachable"), async (fetched) => {
    const source = { provider: "openai_compatible" as const, baseUrl: "http://10.0.0.7/v1", apiKey: KEY };
    const listed = await failure(fetchModelCatalogue({ ...source, timeoutMs: 2000 }, { checkKey: true }));
    assert.equal(listed.kind, "refused");
    const events = [];
    for await (
      const event of streamChat({
        ...source,
        model: "m",
        messages: [{ role: "user", content: "Hi" }],
        settings: { temperature: 0.7, max_tokens: 16, top_p: 1, frequency_penalty: 0, presence_penalty: 0 },
        timeoutMs: 2000,
      })
    ) events.push(event);
    assert.equal(events.length, 1);
    assert.equal(events[0].type === "error" && events[0].error.kind, "refused");
    assert.deepEqual(fetched, []);
  });
});
