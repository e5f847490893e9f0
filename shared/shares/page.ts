/**
 * The HTML page of a shared conversation: every text the owner wrote (title, messages) escaped, no
 * script; served under the static page policy (shared/http/security-headers.ts).
 * @module
 */
import type { SharedChat } from "./schemas.ts";

const ENTITIES: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
};

export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => ENTITIES[char]);

const ROLE_NAMES: Record<string, string> = { user: "User", assistant: "Assistant", system: "System" };

export function sharedPage(share: SharedChat): string {
  const messages = share.messages.map((message) =>
    `<article class="${message.role === "user" ? "user" : "other"}">
<h2>${escapeHtml(ROLE_NAMES[message.role] ?? message.role)} <time>${
      escapeHtml(message.created_at)
    }</time></h2>
<div class="content">${escapeHtml(message.content)}</div>
</article>`
  ).join("\n");
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(share.title)} · PocketLLM</title>
<style>
body { font: 16px/1.5 system-ui, sans-serif; max-width: 46rem; margin: 2rem auto; padding: 0 1rem; color: #1d1d1f; }
h1 { font-size: 1.4rem; } h2 { font-size: .85rem; color: #666; margin: 0 0 .3rem; }
time { font-weight: normal; margin-left: .5rem; }
article { border-radius: .6rem; padding: .7rem 1rem; margin: .8rem 0; background: #f3f3f5; }
article.user { background: #e6f0ff; }
.content { white-space: pre-wrap; overflow-wrap: anywhere; }
footer { color: #888; font-size: .8rem; margin-top: 2rem; }
</style>
</head>
<body>
<h1>${escapeHtml(share.title)}</h1>
${messages}
<footer>A conversation shared from PocketLLM on <time>${escapeHtml(share.shared_at)}</time>.</footer>
</body>
</html>
`;
}
