/**
 * A generated title for an "Untitled chat": a short non-streaming completion from the chat's own
 * model, run after the first reply so it never delays it. When the provider fails or answers
 * nothing usable, the first user message, trimmed, is the title.
 * @module
 */
import { completeChat, ProviderError } from "../llm/chat/mod.ts";
import type { WithUser } from "../db/client.ts";
import { logProviderFailure } from "../providers/service.ts";
import type { ReplyPlan } from "./reply-plan.ts";
import { DEFAULT_CHAT_TITLE } from "./schemas.ts";
import { setGeneratedTitle } from "./service.ts";

/** Longest generated or fallback title (the database allows 120). */
export const MAX_TITLE_CHARS = 60;
/** How much of the conversation the title request quotes. */
const QUOTED_CHARS = 1_500;
/** A title needs a few words; reasoning models spend some tokens first, so allow a little more. */
const TITLE_MAX_TOKENS = 32;
const TITLE_TIMEOUT_MS = 20_000;

const TITLE_INSTRUCTION = "You name conversations. Reply with a title of at most six words for the " +
  "conversation below: no quotes, no trailing punctuation, nothing else.";

/** `text` on one line, cut at a word boundary to `max` characters (with an ellipsis when cut). */
export function shortenTitle(text: string, max = MAX_TITLE_CHARS): string {
  const line = text.replace(/\s+/g, " ").trim();
  if (line.length <= max) return line;
  const cut = line.slice(0, max - 1);
  const atWord = cut.lastIndexOf(" ") > max / 2 ? cut.slice(0, cut.lastIndexOf(" ")) : cut;
  return `${atWord.replace(/[\s,;:.-]+$/, "")}…`;
}

/** The model's answer as a title: first line, without a "Title:" label, quotes or a final period. */
export function cleanTitle(answer: string): string {
  const line = answer.trim().split("\n")[0] ?? "";
  const unlabelled = line.replace(/^\s*(\*\*)?title(\*\*)?\s*:\s*/i, "");
  const unquoted = unlabelled.replace(/^["'“”‘’*#\s]+|["'“”‘’*\s.!]+$/g, "");
  return shortenTitle(unquoted);
}

async function generatedTitle(plan: ReplyPlan, firstMessage: string, reply: string): Promise<string> {
  try {
    const conversation = `User: ${firstMessage.slice(0, QUOTED_CHARS)}\n\nAssistant: ${
      reply.slice(0, QUOTED_CHARS)
    }`;
    const result = await completeChat({
      ...plan.request,
      messages: [{ role: "system", content: TITLE_INSTRUCTION }, { role: "user", content: conversation }],
      settings: { temperature: 0.3, max_tokens: TITLE_MAX_TOKENS },
      timeoutMs: Math.min(plan.request.timeoutMs ?? TITLE_TIMEOUT_MS, TITLE_TIMEOUT_MS),
    });
    return cleanTitle(result.text);
  } catch (error) {
    if (error instanceof ProviderError) logProviderFailure(error);
    return ""; // The fallback below is the answer to any provider failure.
  }
}

/**
 * Titles the chat from its first exchange, unless the user renamed it meanwhile. Never throws for
 * a provider failure (the trimmed first message is used instead).
 */
export async function nameChat(withUser: WithUser, plan: ReplyPlan, firstMessage: string, reply: string) {
  const title = await generatedTitle(plan, firstMessage, reply) || shortenTitle(firstMessage) ||
    DEFAULT_CHAT_TITLE;
  await withUser((tx) => setGeneratedTitle(tx, plan.userId, plan.chatId, DEFAULT_CHAT_TITLE, title));
}
