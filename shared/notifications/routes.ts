/**
 * In-app notifications and notification preferences (API-LATER.md §4, §5). The app's builds also call
 * these under a doubled `/v1/v1/` prefix: shared/api.ts serves that as an alias.
 * @module
 */
import { requireUser } from "../auth/middleware.ts";
import { userReader } from "../db/client.ts";
import { createRouter } from "../http/router.ts";
import { authErrors, body, errors, json, routeBuilder } from "../http/openapi.ts";
import { PAGE_HEADERS, PageQuery, setNextCursor } from "../http/paging.ts";
import {
  AllMarkedRead,
  Notification,
  NotificationIdParams,
  NotificationPreferences,
  NotificationPreferencesUpdate,
  UnreadCount,
} from "./schemas.ts";
import * as notifications from "./service.ts";

const route = routeBuilder("notifications");

const list = route({
  method: "get",
  path: "/v1/notifications",
  summary: "The caller's notifications, newest first",
  request: { query: PageQuery },
  responses: {
    200: { ...json(Notification.array(), "Notifications"), headers: PAGE_HEADERS },
    ...authErrors,
  },
});

const unread = route({
  method: "get",
  path: "/v1/notifications/unread-count",
  summary: "How many notifications are unread",
  responses: { 200: json(UnreadCount, "The unread count"), ...authErrors },
});

const markRead = route({
  method: "patch",
  path: "/v1/notifications/{id}/read",
  summary: "Mark one notification read",
  request: { params: NotificationIdParams },
  responses: { 200: json(Notification, "The notification"), 404: errors[404], ...authErrors },
});

const markAllRead = route({
  method: "post",
  path: "/v1/notifications/mark-all-read",
  summary: "Mark every notification read",
  responses: { 200: json(AllMarkedRead, "How many changed"), ...authErrors },
});

const getPreferences = route({
  method: "get",
  path: "/v1/notification-preferences",
  summary: "Which notifications the caller gets (all on until changed)",
  responses: { 200: json(NotificationPreferences, "The switches"), ...authErrors },
});

const putPreferences = route({
  method: "put",
  path: "/v1/notification-preferences",
  summary: "Change some switches (only the ones sent change)",
  request: body(NotificationPreferencesUpdate),
  responses: { 200: json(NotificationPreferences, "The switches"), ...authErrors },
});

export function notificationRoutes() {
  const router = createRouter();
  router.use("/v1/notifications", requireUser());
  router.use("/v1/notifications/*", requireUser());
  router.use("/v1/notification-preferences", requireUser());

  router.openapi(list, async (c) => {
    const claims = c.get("claims");
    const query = c.req.valid("query");
    const page = await notifications.listNotifications(userReader(claims), claims.sub, query);
    setNextCursor(c, query.limit, page.next);
    return c.json(page.items, 200);
  });
  router.openapi(unread, async (c) => {
    const claims = c.get("claims");
    return c.json(await notifications.unreadCount(userReader(claims), claims.sub), 200);
  });
  router.openapi(markRead, async (c) => {
    const claims = c.get("claims");
    const { id } = c.req.valid("param");
    return c.json(await notifications.markRead(userReader(claims), claims.sub, id), 200);
  });
  router.openapi(markAllRead, async (c) => {
    const claims = c.get("claims");
    return c.json(await notifications.markAllRead(userReader(claims), claims.sub), 200);
  });
  router.openapi(getPreferences, async (c) => {
    const claims = c.get("claims");
    return c.json(await notifications.getPreferences(userReader(claims), claims.sub), 200);
  });
  router.openapi(putPreferences, async (c) => {
    const claims = c.get("claims");
    const update = c.req.valid("json");
    return c.json(await notifications.updatePreferences(userReader(claims), claims.sub, update), 200);
  });
  return router;
}
