import assert from "node:assert/strict";
import { createDatabase } from "../../shared/db/client.ts";
import { checkDatabase } from "../../shared/health/service.ts";
import { freePort } from "../../stack/process.ts";

Deno.test("the database check says error when nothing answers, within its timeout", async () => {
  const unreachable = createDatabase(`postgresql://postgres:postgres@127.0.0.1:${freePort()}/postgres`, {
    connect_timeout: 1,
  });
  try {
    assert.equal(await checkDatabase(unreachable, 1_500), "error");
  } finally {
    await unreachable.end({ timeout: 0 });
  }
});
