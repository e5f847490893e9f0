/**
 * Sharing a conversation (API.md "Sharing a conversation"): the owner makes, replaces and revokes a
 * chat's share; anyone with its link reads the snapshot, as JSON or as a page for a browser.
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { config } from "../config/env.ts";
import { asUser, serviceReader } from "../db/client.ts";
import { prefersHtml } from "../http/accept.ts";
import { createRouter } from "../http/router.ts";
import { authErrors, errors, json, routeBuilder } from "../http/openapi.ts";
import { STATIC_PAGE_POLICY } from "../http/security-headers.ts";
import { ChatIdParams } from "../chats/schemas.ts";
import { sharedPage } from "./page.ts";
import { SharedChat, ShareIdParams, ShareLink } from "./schemas.ts";
import * as shares from "./service.ts";

const route = routeBuilder("chats");
const open = routeBuilder("shared", { secured: false });

const share = route({
  method: "post",
  path: "/v1/chats/{chat_id}/share",
  summary: "Share a snapshot of the chat as it is now (sharing again replaces it, same link)",
  request: { params: ChatIdParams },
  responses: { 200: json(ShareLink, "The share's link"), 404: errors[404], ...authErrors },
});

const revoke = route({
  method: "delete",
  path: "/v1/chats/{chat_id}/share",
  summary: "Revoke the chat's share: its link answers 404 from now on",
  request: { params: ChatIdParams },
  responses: { 204: { description: "Revoked" }, 404: errors[404], ...authErrors },
});

const read = open({
  method: "get",
  path: "/v1/shared/{share_id}",
  summary: "A shared conversation (no token): JSON, or a page when the client prefers HTML",
  request: { params: ShareIdParams },
  responses: {
    200: {
      description: "The snapshot",
      content: { "application/json": { schema: SharedChat }, "text/html": { schema: { type: "string" } } },
    },
    404: errors[404],
  },
});

/** The public link of a share, on the URL clients reach (PUBLIC_API_URL). */
const shareUrl = (shareId: string) => `${config().publicUrl}/functions/v1/api/v1/shared/${shareId}`;

export function shareRoutes() {
  const router = createRouter();
  router.use("/v1/chats/:chat_id/share", requireUser());

  router.openapi(share, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    const made = await asUser(claims, (tx) => shares.shareChat(tx, claims.sub, chat_id));
    return c.json(
      { share_id: made.share_id, url: shareUrl(made.share_id), created_at: made.created_at },
      200,
    );
  });
  router.openapi(revoke, async (c) => {
    const claims = c.get("claims");
    const { chat_id } = c.req.valid("param");
    await asUser(claims, (tx) => shares.revokeShare(tx, claims.sub, chat_id));
    return c.body(null, 204);
  });
  router.openapi(read, async (c) => {
    const { share_id } = c.req.valid("param");
    const snapshot = await shares.readShare(serviceReader(), share_id);
    // A revoked link must stop working at once, and the share_id must not leave in a Referer.
    c.header("Cache-Control", "no-store");
    c.header("Referrer-Policy", "no-referrer");
    c.header("X-Robots-Tag", "noindex");
    c.header("Vary", "Accept");
    if (!prefersHtml(c.req.header("accept"))) return c.json(snapshot, 200);
    c.header("Content-Security-Policy", STATIC_PAGE_POLICY);
    return c.html(sharedPage(snapshot), 200);
  });
  return router;
}
