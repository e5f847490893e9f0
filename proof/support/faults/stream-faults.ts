/**
 * Fault 3: the provider fails while a reply streams (`POST /api/v1/chats/{id}/messages`, `stream:
 * true`): a 5xx before the stream, a connection dropped mid-stream, a stall mid-stream and a stall
 * before the first byte (the provider's timeout set to 2 s). Each must end with one clear `error`
 * event (or the documented 424 before the stream starts), store exactly the text that was streamed,
 * and never take longer than the timeout allows. A dropped connection ends with `done` and
 * finish_reason `interrupted` (the text so far stands), as shared/llm/chat/client.ts documents.
 * @module
 */
import {
  type FakeLlm,
  type FakeReply,
  openAiChunks,
  openAiError,
  startFakeLlm,
} from "../../../tests/helpers/fake_llm.ts";
import { createChat, withDb } from "../../../tests/helpers/chats.ts";
import {
  messagesOf,
  type StreamEvent,
  streamMessage,
  userWithFakeModel,
} from "../../../tests/helpers/replies.ts";
import type { TestUser } from "../../../tests/helpers/api.ts";
import { type Check, markdownTable, printChecks } from "./table.ts";

const TIMEOUT_SECONDS = 2;
/** How long a stalled reply holds: past the timeout; the fake is closed only once it is over. */
const STALL_MS = 4_000;
const PARTIAL = ["Partial ", "answer"];
const head = () => openAiChunks({ chunks: PARTIAL, finishReason: null, usage: "none", done: false });

interface Case {
  name: string;
  reply: FakeReply;
  /** The text the client should see streamed (and find stored). */
  partial: string;
  /** How the stream must end: an error code family, or `done (interrupted)` for a dropped connection. */
  ending: RegExp;
}

const CASES: Case[] = [
  {
    name: "503 before the stream",
    reply: openAiError(503, "Service overloaded"),
    partial: "",
    ending: /^error provider_/,
  },
  {
    name: "500 before the stream",
    reply: openAiError(500, "Internal error"),
    partial: "",
    ending: /^error provider_/,
  },
  {
    name: "connection dropped mid-stream",
    reply: { sse: [...head(), { drop: true }] },
    partial: PARTIAL.join(""),
    // Documented in shared/llm/chat/client.ts: a dropped connection keeps the text so far.
    ending: /^done interrupted$/,
  },
  {
    name: "stalled mid-stream (timeout)",
    reply: { sse: [...head(), { delayMs: STALL_MS }] },
    partial: PARTIAL.join(""),
    ending: /^error provider_timeout$/,
  },
  {
    name: "no answer at all (timeout)",
    reply: { delayMs: STALL_MS, sse: head() },
    partial: "",
    ending: /^error provider_timeout$/,
  },
];

interface Outcome {
  name: string;
  status: number;
  events: string;
  /** `error <code>` or `done <finish_reason>`. */
  ending: string;
  expectedEnding: RegExp;
  streamed: string;
  stored: string;
  seconds: number;
  expected: string;
}

function endingOf(last: StreamEvent | undefined): string {
  if (last?.event === "error") return `error ${last.data.code}`;
  if (last?.event === "done") return `done ${last.data.message?.metadata?.finish_reason}`;
  return `ended after ${last?.event ?? "nothing"}`;
}

async function runCase(user: TestUser, fake: FakeLlm, c: Case): Promise<Outcome> {
  const chat = await createChat(user, { title: c.name });
  fake.script(c.reply);
  const started = performance.now();
  const result = await streamMessage(user, chat.id, "Go");
  const seconds = (performance.now() - started) / 1000;
  const last = result.events.at(-1);
  const stored = (await messagesOf(user, chat.id)).filter((m) => m.role === "assistant").map((m) =>
    m.content
  );
  return {
    name: c.name,
    status: result.status,
    events: result.events.map((e) => e.event).filter((e, i, all) => e !== all[i - 1]).join(" → "),
    ending: endingOf(last),
    streamed: result.text,
    stored: stored.length ? stored.join(" | ") : "(none)",
    seconds,
    expected: c.partial,
    expectedEnding: c.ending,
  };
}

function checksOf(o: Outcome): Check[] {
  const storedOk = o.expected ? o.stored === o.expected : o.stored === "(none)" || o.stored === "";
  const clean = o.status === 200 ? o.expectedEnding.test(o.ending) : o.status === 424;
  return [
    {
      check: `${o.name}: a clear ending (${o.expectedEnding.source.replace(/[\^$]/g, "")}, or 424)`,
      ok: clean,
      detail: `${o.status}, ${o.ending}`,
    },
    {
      check: `${o.name}: streamed text is the partial reply`,
      ok: o.streamed === o.expected,
      detail: JSON.stringify(o.streamed),
    },
    { check: `${o.name}: stored reply is what was streamed`, ok: storedOk, detail: JSON.stringify(o.stored) },
    {
      check: `${o.name}: answered within the timeout`,
      ok: o.seconds < TIMEOUT_SECONDS + 3,
      detail: `${o.seconds.toFixed(2)} s`,
    },
  ];
}

/** Runs every case and prints its tables; true when every check passed. */
export async function streamFaults(): Promise<boolean> {
  const fake = startFakeLlm();
  try {
    return await runCases(fake);
  } finally {
    // The last stalled reply is over before the fake closes (closing would cut it off, noisily).
    await new Promise((resolve) => setTimeout(resolve, STALL_MS - TIMEOUT_SECONDS * 1000 + 500));
    await fake.close().catch(() => {});
  }
}

async function runCases(fake: FakeLlm): Promise<boolean> {
  const { user } = await userWithFakeModel(fake, "openai");
  await withDb((sql) =>
    sql`update public.providers set metadata = coalesce(metadata, '{}') || ${
      sql.json({ timeout: TIMEOUT_SECONDS })
    }
        where user_id = ${user.id}`
  );
  const outcomes: Outcome[] = [];
  for (const c of CASES) outcomes.push(await runCase(user, fake, c));
  console.log(`\nprovider timeout ${TIMEOUT_SECONDS} s\n`);
  console.log(markdownTable(
    ["fault", "HTTP", "events", "ending", "streamed", "stored", "time"],
    outcomes.map((
      o,
    ) => [
      o.name,
      o.status,
      o.events,
      o.ending,
      JSON.stringify(o.streamed),
      o.stored,
      `${o.seconds.toFixed(2)} s`,
    ]),
  ));
  return printChecks("Fault: provider failures during streaming", outcomes.flatMap(checksOf));
}
