/**
 * The `worker` function's application: only callers holding the service credential get in.
 * @module
 */
import { Hono } from "hono";
import { hasServiceCredential } from "../auth/service-key.ts";

export function createWorkerApp(): Hono {
  const app = new Hono().basePath("/worker");
  app.use("*", async (c, next) => {
    if (!hasServiceCredential(c.req.raw.headers)) {
      return c.json({ detail: "The worker accepts only the service credential.", code: "unauthorized" }, 401);
    }
    await next();
  });
  app.post("/", (c) => c.json({ claimed: 0, completed: 0, failed: 0, retried: 0 }));
  return app;
}
