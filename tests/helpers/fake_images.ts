/**
 * A scriptable fake images provider speaking the OpenAI images wire format, for worker tests. It
 * answers `POST .../images/generations` (OpenAI style and ImageRouter's `/v1/openai/...`) with a
 * tiny PNG per requested image, in `b64_json` or as a `url` it serves itself, and lists models at
 * `GET /v1/models`. Replies can be scripted in order: fail with a status (and Retry-After), be slow,
 * or hold until released.
 * @module
 */

/** A 1×1 PNG. */
export const PNG_BASE64 =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAQAAAC1HAwCAAAAC0lEQVR42mNkYAAAAAYAAjCB0C8AAAAASUVORK5CYII=";
export const PNG_BYTES = Uint8Array.from(atob(PNG_BASE64), (c) => c.charCodeAt(0));

/** `GET /v1/models`: an OpenAI-style list with image and chat models. */
export const MODEL_LIST = {
  object: "list",
  data: ["dall-e-3", "gpt-image-1", "gpt-4o-mini"].map((id) => ({
    id,
    object: "model",
    created: 1,
    owned_by: "fake",
  })),
};

/** How the fake answers one generation request. */
export interface Reply {
  /** HTTP status; 200 (the default) answers images. */
  status?: number;
  /** The error message of a non-200 answer (OpenAI's `{error: {message}}`). */
  message?: string;
  retryAfter?: string;
  /** Waits this long before answering. */
  delayMs?: number;
  /** Waits for `release()` before answering. */
  hold?: boolean;
  /** Answers with `url` results instead of `b64_json`. */
  asUrl?: boolean;
}

export interface RecordedRequest {
  path: string;
  authorization: string | null;
  body: Record<string, unknown>;
  at: number;
}

export interface FakeImages {
  /** The base URL to store on a provider row (`.../v1`). */
  baseUrl: string;
  requests: RecordedRequest[];
  /** The most requests that were in flight at once. */
  maxInFlight: number;
  /** Replies for the next requests, in order; afterwards requests get the default (a plain 200). */
  script(...replies: Reply[]): void;
  /** Resolves once `count` generation requests have arrived. */
  arrived(count: number): Promise<void>;
  /** Lets every held request answer. */
  release(): void;
  close(): Promise<void>;
}

function errorReply(reply: Reply): Response {
  const headers: Record<string, string> = reply.retryAfter ? { "retry-after": reply.retryAfter } : {};
  return Response.json(
    { error: { message: reply.message ?? `fake error ${reply.status}`, type: "fake_error" } },
    { status: reply.status, headers },
  );
}

function imagesReply(body: Record<string, unknown>, reply: Reply, origin: string): Response {
  const count = typeof body.n === "number" ? body.n : 1;
  const datum = reply.asUrl ? { url: `${origin}/files/image.png` } : { b64_json: PNG_BASE64 };
  const data = Array.from({ length: count }, () => ({ ...datum, revised_prompt: `fake: ${body.prompt}` }));
  return Response.json({ created: Math.floor(Date.now() / 1000), data });
}

/** Starts the fake on a free port. */
export function startFakeImages(): FakeImages {
  const queue: Reply[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let releaseHeld: () => void = () => {};
  let held = new Promise<void>((resolve) => releaseHeld = resolve);
  let inFlight = 0;

  const fake = {
    baseUrl: "",
    requests: [] as RecordedRequest[],
    maxInFlight: 0,
    script: (...replies: Reply[]) => void queue.push(...replies),
    arrived: (count: number) =>
      count <= fake.requests.length
        ? Promise.resolve()
        : new Promise<void>((resolve) => waiters.push({ count, resolve })),
    release: () => {
      releaseHeld();
      held = new Promise<void>((resolve) => releaseHeld = resolve);
    },
    close: async () => {
      releaseHeld();
      await server.shutdown();
    },
  };

  async function generate(request: Request, path: string): Promise<Response> {
    const body = await request.json() as Record<string, unknown>;
    fake.requests.push({ path, authorization: request.headers.get("authorization"), body, at: Date.now() });
    waiters.filter((w) => w.count <= fake.requests.length).forEach((w) => w.resolve());
    const reply = queue.shift() ?? {};
    inFlight += 1;
    fake.maxInFlight = Math.max(fake.maxInFlight, inFlight);
    try {
      if (reply.hold) await held;
      if (reply.delayMs) await new Promise((resolve) => setTimeout(resolve, reply.delayMs));
      if (reply.status && reply.status !== 200) return errorReply(reply);
      return imagesReply(body, reply, new URL(request.url).origin);
    } finally {
      inFlight -= 1;
    }
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, (request) => {
    const path = new URL(request.url).pathname;
    if (request.method === "POST" && /\/images\/generations$/.test(path)) return generate(request, path);
    if (request.method === "GET" && /\/models$/.test(path)) return Response.json(MODEL_LIST);
    if (request.method === "GET" && path === "/files/image.png") {
      return new Response(PNG_BYTES, { headers: { "content-type": "image/png" } });
    }
    return Response.json({ error: { message: "not found" } }, { status: 404 });
  });
  fake.baseUrl = `http://127.0.0.1:${server.addr.port}/v1`;
  return fake;
}
