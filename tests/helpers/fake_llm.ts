/**
 * A fake LLM provider on 127.0.0.1 (port 0) that speaks OpenAI's `POST …/chat/completions` and
 * Anthropic's `POST …/v1/messages`, as JSON or SSE. Each test scripts the replies (chunks, delays,
 * comment lines, mid-stream errors, dropped connections, statuses with Retry-After, usage where a
 * given provider puts it); the fake records every request. Unscripted requests get a default reply
 * in the request's own format. `GET …/models` (what activating a provider calls to check the key)
 * answers `FAKE_MODELS` in a shape every model-list parser reads, and is neither scripted nor recorded.
 *
 * @example
 * const fake = startFakeLlm();
 * fake.script(openAiStream({ chunks: ["Hel", "lo"], usage: "x_groq" }));
 * // ... call with baseUrl: fake.baseUrl ...
 * assert.equal(fake.requests[0].body.stream, true);
 * await fake.close();
 */
import { anthropicEvents, anthropicJson, openAiChunks, openAiJson } from "./fake_llm_scripts.ts";
export * from "./fake_llm_scripts.ts";

/** One step of an SSE body. */
export type SseStep =
  | { event?: string; data: unknown }
  | { comment: string }
  | { raw: string }
  | { delayMs: number }
  | { until: Promise<unknown> }
  | { drop: true };

/** What the fake answers to one request. */
export interface FakeReply {
  status?: number;
  headers?: Record<string, string>;
  /** Wait this long before answering at all. */
  delayMs?: number;
  /** Answer only once this settles (see gate.ts). */
  until?: Promise<unknown>;
  json?: unknown;
  sse?: SseStep[];
  text?: string;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: Headers;
  // deno-lint-ignore no-explicit-any
  body: any;
}

export type Scripted = FakeReply | ((request: RecordedRequest) => FakeReply);

export interface FakeLlm {
  /** `http://127.0.0.1:<port>/v1`: the base URL for both formats. */
  baseUrl: string;
  requests: RecordedRequest[];
  /** Bodies whose reader went away before the script ended (a client that hung up). */
  readonly disconnects: number;
  /** Replies for the next requests, in order. */
  script(...replies: Scripted[]): void;
  close(): Promise<void>;
  /** `await using fake = startFakeLlm()` closes it at the end of the scope. */
  [Symbol.asyncDispose](): Promise<void>;
}

const encoder = new TextEncoder();

/** The fake's model list: `fake-small` has a tiny context window, for trimming tests. */
export const FAKE_MODELS = [
  { id: "fake-model", contextWindow: 131_072 },
  { id: "fake-small", contextWindow: 400 },
];

/** One list that the OpenAI-style, Groq and Anthropic parsers all read (each takes its own fields). */
function modelList() {
  const data = FAKE_MODELS.map(({ id, contextWindow }) => ({
    id,
    object: "model",
    type: "model",
    created: 1730000000,
    owned_by: "fake",
    active: true,
    display_name: id,
    context_window: contextWindow,
    max_input_tokens: contextWindow,
    max_completion_tokens: 4096,
    max_tokens: 4096,
  }));
  return { object: "list", data, has_more: false, first_id: data[0].id, last_id: data.at(-1)!.id };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

function settledOrAborted(promise: Promise<unknown>, signal: AbortSignal): Promise<unknown> {
  const aborted = new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
  return Promise.race([promise, aborted]);
}

/** The text of one step (undefined for control steps). */
export function sseText(step: SseStep): string | undefined {
  if ("raw" in step) return step.raw;
  if ("comment" in step) return `: ${step.comment}\n\n`;
  if ("data" in step) {
    const data = typeof step.data === "string" ? step.data : JSON.stringify(step.data);
    return `${step.event ? `event: ${step.event}\n` : ""}data: ${data}\n\n`;
  }
  return undefined;
}

function defaultReply(request: RecordedRequest): FakeReply {
  const stream = request.body?.stream === true;
  const chunks = ["Hello ", "from the ", "fake provider."];
  if (request.path.endsWith("/messages")) {
    return stream ? { sse: anthropicEvents({ chunks }) } : { json: anthropicJson({ text: chunks.join("") }) };
  }
  return stream ? { sse: openAiChunks({ chunks }) } : { json: openAiJson({ text: chunks.join("") }) };
}

/** Starts a fake provider; close it at the end of the test. */
export function startFakeLlm(): FakeLlm {
  const queue: Scripted[] = [];
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  let disconnects = 0;

  async function* sseBody(steps: SseStep[]) {
    let finished = false;
    try {
      for (const step of steps) {
        if ("delayMs" in step) await sleep(step.delayMs, closing.signal);
        else if ("until" in step) await settledOrAborted(step.until, closing.signal);
        else if ("drop" in step) break;
        else yield encoder.encode(sseText(step));
      }
      finished = true;
    } finally {
      if (!finished) disconnects++;
    }
  }

  async function respond(reply: FakeReply): Promise<Response> {
    if (reply.delayMs) await sleep(reply.delayMs, closing.signal);
    if (reply.until) await settledOrAborted(reply.until, closing.signal);
    const status = reply.status ?? 200;
    if (reply.sse) {
      // A drop: the body stops short of the length announced, so the client sees the connection break
      // (an errored body stream would do the same, but Deno's server prints every such error).
      const headers = new Headers({
        "content-type": "text/event-stream",
        "cache-control": "no-cache",
        ...reply.headers,
      });
      if (reply.sse.some((step) => "drop" in step)) headers.set("content-length", "1000000");
      return new Response(ReadableStream.from(sseBody(reply.sse)), { status, headers });
    }
    if (reply.json !== undefined) {
      return Response.json(reply.json, { status, headers: reply.headers });
    }
    return new Response(reply.text ?? "", { status, headers: reply.headers });
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, async (req) => {
    if (req.method === "GET" && new URL(req.url).pathname.endsWith("/models")) {
      return Response.json(modelList());
    }
    const text = await req.text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch { /* recorded as text */ }
    const recorded = { method: req.method, path: new URL(req.url).pathname, headers: req.headers, body };
    requests.push(recorded);
    const next = queue.shift() ?? defaultReply;
    return await respond(typeof next === "function" ? next(recorded) : next);
  });

  return {
    baseUrl: `http://127.0.0.1:${server.addr.port}/v1`,
    requests,
    get disconnects() {
      return disconnects;
    },
    script: (...replies) => void queue.push(...replies),
    async close() {
      closing.abort(new Error("fake provider closed"));
      await server.shutdown();
    },
    [Symbol.asyncDispose]() {
      return this.close();
    },
  };
}
