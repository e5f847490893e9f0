/**
 * Every operation of the OpenAPI document, turned into requests that user B sends with user A's ids:
 * in the path (each of A's ids for each path parameter), in cursors and in bodies. Requests that
 * only read go first and deletions last, so that every attempt meets A's data still in place.
 * @module
 */
import { apiUrl } from "../../../tests/helpers/api.ts";
import type { SeededUser } from "./seed.ts";
import { formWith, PNG } from "../../../tests/helpers/files.ts";

export interface Attack {
  method: string;
  /** The path under `/api`. */
  path: string;
  body?: unknown;
  /** True when the path names one of A's rows by id: any 2xx is then a leak. */
  foreignId: boolean;
  /**
   * A share A made public on purpose: its title and messages (A's marker) may show; nothing else of
   * A's may, and it must answer 200. A revoked share must answer 404.
   */
  share?: "published" | "revoked";
}

export interface Operation {
  method: string;
  /** e.g. `/v1/chats/{chat_id}`. */
  template: string;
  /** Needs a user token (the document lists a security requirement). */
  secured: boolean;
}

/** The document's operations, except sign-up (it makes accounts) and sign-out (it ends B's session). */
export async function loadOperations(): Promise<Operation[]> {
  const response = await fetch(`${apiUrl}/openapi.json`);
  const document = await response.json() as {
    paths: Record<string, Record<string, { security?: unknown[] }>>;
  };
  const skipped = ["POST /v1/auth/signup", "POST /v1/auth/signout"];
  return Object.entries(document.paths).flatMap(([path, operations]) =>
    Object.entries(operations).map(([method, operation]) => ({
      method: method.toUpperCase(),
      template: path.replace(/^\/api/, ""),
      secured: (operation.security?.length ?? 0) > 0,
    }))
  ).filter((operation) => !skipped.includes(`${operation.method} ${operation.template}`));
}

/** What each path parameter is tried with: every one of A's ids of that kind. */
export function parameterValues(victim: SeededUser): Record<string, string[]> {
  return {
    user_id: [victim.user.id],
    chat_id: victim.chatIds,
    model_id: victim.modelIds,
    job_id: victim.jobIds,
    provider: victim.providers,
    id: victim.notificationIds,
    message_id: victim.messageIds,
    share_id: [...victim.publicShareIds, ...victim.revokedShareIds],
  };
}

export function expand(template: string, values: Record<string, string[]>): string[] {
  const match = /\{(\w+)\}/.exec(template);
  if (!match) return [template];
  const choices = values[match[1]] ?? [];
  return choices.flatMap((value) => expand(template.replace(match[0], value), values));
}

/** A body that would change or take A's data if the route let it through. */
export function bodyFor(method: string, template: string, victim: SeededUser): unknown {
  if (method === "GET" || method === "DELETE") return undefined;
  const bodies: Record<string, unknown> = {
    "PUT /v1/chats/{chat_id}": { title: "taken by B", model_config_id: victim.modelIds[0] },
    "POST /v1/chats/{chat_id}/messages": { content: "written by B" },
    "PUT /v1/chats/{chat_id}/messages/{message_id}/feedback": { rating: "down", comment: "by B" },
    "POST /v1/chats/{chat_id}/messages/{message_id}/edit": { content: "edited by B" },
    "PUT /v1/chats/{chat_id}/active": { message_id: victim.messageIds[0] },
    "POST /v1/users/profile/avatar": formWith(PNG, "b.png"),
    "POST /v1/attachments": formWith(new TextEncoder().encode("B's notes"), "b.txt"),
    "POST /v1/models/{model_id}/default": { is_default: true },
    "PATCH /v1/providers/{provider}": { display_name: "taken by B", is_active: false },
    "POST /v1/chats": { title: "B's chat", model_config_id: victim.modelIds[0] },
    "POST /v1/auth/signin": { email: victim.user.email, password: "not-the-password" },
    "POST /v1/auth/password/change": { old: "not-the-password", new: "taken-by-b-password" },
    "POST /v1/auth/refresh": { refresh_token: victim.user.refreshToken.slice(0, 4) + "x" },
    "PUT /v1/users/profile": { bio: "B's bio" },
    "POST /v1/users/profile/onboarding": { bio: "B's bio" },
    "POST /v1/jobs/image-generation": {
      job_type: "image_generation",
      input_data: { prompt: "B's image", provider: "openai_compatible" },
      metadata: { user_id: victim.user.id },
    },
    "POST /v1/jobs/image-generation/estimate-cost": { model: "dall-e-3" },
    "POST /v1/models/import": { provider: "openai", models: ["fake-model"] },
    "POST /v1/referral/send": { email: "friend-of-b@example.test" },
    "PUT /v1/notification-preferences": { notify_job_status: false },
    "POST /v1/auth/invite-codes/validate": { code: victim.inviteCode },
    "POST /v1/providers/activate": {
      provider: "openai_compatible",
      api_key: "sk-proof-attacker-0000000000",
      base_url: victim.providerBaseUrl,
    },
  };
  return bodies[`${method} ${template}`] ?? {};
}

/** The query string a route needs to get past validation (so that only ownership can stop it). */
export function queryFor(method: string, template: string, victim: SeededUser): string {
  const queries: Record<string, string> = {
    "GET /v1/chats/search": `?q=${encodeURIComponent(victim.marker)}`,
  };
  return queries[`${method} ${template}`] ?? "";
}

/** Cursor variants: B's lists paged with A's ids must not reveal A's rows. */
function cursorAttacks(victim: SeededUser, attackerChatId: string): Attack[] {
  const ids = [victim.chatIds[0], victim.messageIds[0], victim.jobIds[0], victim.notificationIds[0]];
  const lists = ["/v1/chats", "/v1/jobs", `/v1/chats/${attackerChatId}/messages`, "/v1/notifications"];
  return lists.flatMap((list) =>
    ids.flatMap((id) =>
      ["before", "after"].map((param) => ({
        method: "GET",
        path: `${list}?${param}=${id}`,
        foreignId: false,
      }))
    )
  );
}

const ORDER = ["GET", "POST", "PUT", "PATCH", "DELETE"];

export function buildAttacks(operations: Operation[], victim: SeededUser, attackerChatId: string): Attack[] {
  const values = parameterValues(victim);
  const shareOf = (path: string): Attack["share"] => {
    if (victim.publicShareIds.some((id) => path.endsWith(`/shared/${id}`))) return "published";
    if (victim.revokedShareIds.some((id) => path.endsWith(`/shared/${id}`))) return "revoked";
  };
  const attacks: Attack[] = operations.flatMap(({ method, template }) =>
    expand(template, values).map((path) => ({
      method,
      path: path + queryFor(method, template, victim),
      body: bodyFor(method, template, victim),
      foreignId: /\{(user_id|chat_id|model_id|job_id|id|message_id)\}/.test(template),
      share: shareOf(path),
    }))
  );
  attacks.push(...cursorAttacks(victim, attackerChatId));
  attacks.push({
    method: "PUT",
    path: `/v1/chats/${attackerChatId}`,
    body: { model_config_id: victim.modelIds[0] },
    foreignId: false,
  }, {
    // A's attachment sent with B's message: refused (422), never read or linked.
    method: "POST",
    path: `/v1/chats/${attackerChatId}/messages`,
    body: { content: "hello", attachments: victim.attachmentIds },
    foreignId: true,
  });
  return attacks.sort((a, b) => ORDER.indexOf(a.method) - ORDER.indexOf(b.method));
}
