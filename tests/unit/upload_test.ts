/**
 * The streaming upload reader (shared/http/upload.ts) on real Request objects: types by bytes, not
 * names; the cut-off at the limit while the body is still coming (a body that never ends is refused
 * as soon as the file passes the limit); fields beside the file; malformed forms.
 */
import assert from "node:assert/strict";
import { ApiError } from "../../shared/errors/api-error.ts";
import { sniffImageType } from "../../shared/files/sniff.ts";
import { readUpload, type UploadRules } from "../../shared/http/upload.ts";
import { formWith, GIF, HEIC, JPEG, PDF, PNG, WEBP } from "../helpers/files.ts";

const LIMIT = 1024;
const rules: UploadRules = {
  field: "file",
  classify: (head) => {
    const mime = sniffImageType(head);
    return mime ? { mime, ext: "x", maxBytes: LIMIT, tooLarge: "Too large." } : undefined;
  },
  unsupported: "Images only.",
  maxBytes: LIMIT,
  tooLarge: "Too large.",
};

const requestOf = (form: FormData) => new Request("http://x/upload", { method: "POST", body: form });

async function refusal(promise: Promise<unknown>): Promise<ApiError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof ApiError, String(error));
    return error;
  }
  throw new Error("expected a refusal");
}

Deno.test("image types are sniffed from their bytes", () => {
  assert.equal(sniffImageType(PNG), "image/png");
  assert.equal(sniffImageType(JPEG), "image/jpeg");
  assert.equal(sniffImageType(GIF), "image/gif");
  assert.equal(sniffImageType(WEBP), "image/webp");
  assert.equal(sniffImageType(HEIC), "image/heic");
  assert.equal(sniffImageType(PDF), undefined);
});

Deno.test("an accepted file comes with its type, name and the form's other fields", async () => {
  const upload = await readUpload(requestOf(formWith(PNG, "me.jpg", { chat_id: " abc " })), rules);
  assert.equal(upload.rule.mime, "image/png");
  assert.equal(upload.filename, "me.jpg");
  assert.deepEqual(upload.fields, { chat_id: "abc" });
  assert.deepEqual(upload.bytes, PNG);
});

Deno.test("a file whose bytes are no accepted type is a 415 whatever its name", async () => {
  const error = await refusal(
    readUpload(requestOf(formWith(PDF, "photo.png", {}, "file", "image/png")), rules),
  );
  assert.equal(error.status, 415);
  assert.equal(error.detail, "Images only.");
});

Deno.test("empty file 422, missing field 422, not multipart 415, truncated form 400", async () => {
  assert.equal(
    (await refusal(readUpload(requestOf(formWith(new Uint8Array(), "a.png")), rules))).code,
    "empty_file",
  );
  const missing = await refusal(readUpload(requestOf(formWith(PNG, "a.png", {}, "other")), rules));
  assert.equal(missing.status, 422);
  assert.deepEqual((missing.detail as { loc: string[] }[])[0].loc, ["body", "file"]);
  const json = new Request("http://x", {
    method: "POST",
    body: "{}",
    headers: { "content-type": "application/json" },
  });
  assert.equal((await refusal(readUpload(json, rules))).status, 415);
  const cut = new Request("http://x", {
    method: "POST",
    body: '--b\r\ncontent-disposition: form-data; name="file"; filename="a"\r\n\r\nabc',
    headers: { "content-type": "multipart/form-data; boundary=b" },
  });
  assert.equal((await refusal(readUpload(cut, rules))).status, 400);
});

Deno.test("a body that never ends is refused as soon as the file passes the limit", async () => {
  let sent = 0;
  const head = new TextEncoder().encode(
    '--b\r\ncontent-disposition: form-data; name="file"; filename="a.png"\r\n\r\n',
  );
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      controller.enqueue(head);
      controller.enqueue(PNG);
    },
    pull(controller) {
      // Endless: only the reader's cut-off (and its bounded drain) stops this.
      sent += 256;
      controller.enqueue(new Uint8Array(256));
    },
  });
  const request = new Request("http://x", {
    method: "POST",
    body,
    headers: { "content-type": "multipart/form-data; boundary=b" },
  });
  const error = await refusal(readUpload(request, rules));
  assert.equal(error.status, 413);
  assert.equal(error.detail, "Too large.");
  assert.ok(sent < 17 * 1024 * 1024, `${sent} bytes read`);
});

Deno.test("a declared length past the limit is refused before reading", async () => {
  const request = new Request("http://x", {
    method: "POST",
    body: formWith(PNG, "a.png"),
    headers: { "content-length": String(10 * 1024 * 1024) },
  });
  assert.equal((await refusal(readUpload(request, rules))).status, 413);
});
