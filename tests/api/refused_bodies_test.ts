/**
 * A request refused before its body is read still gets its answer: the body is drained (up to an
 * allowance) before the answer goes, instead of the connection being reset under a client that is
 * still sending — which the app would take for a network failure and re-send to another host.
 */
import assert from "node:assert/strict";
import { apiUrl } from "../helpers/api.ts";

const MiB = 1024 * 1024;

for (
  const [path, headers] of [
    ["/v1/attachments", { "content-type": "application/octet-stream" }],
    ["/v1/users/profile/avatar", { "content-type": "image/png", authorization: "Bearer not-a-token" }],
    ["/v1/nothing-here", { "content-type": "application/json" }],
  ] as const
) {
  Deno.test(`POST ${path} with 1 MiB it never reads gets its 4xx, not a reset connection`, async () => {
    const answers = await Promise.all(Array.from({ length: 8 }, async () => {
      const response = await fetch(`${apiUrl}${path}`, {
        method: "POST",
        headers,
        body: new Uint8Array(MiB),
      });
      const body = await response.json();
      return [response.status, typeof body.message];
    }));
    for (const [status, message] of answers) {
      assert.ok(Number(status) >= 400 && Number(status) < 500, `status ${status}`);
      assert.equal(message, "string");
    }
  });
}
