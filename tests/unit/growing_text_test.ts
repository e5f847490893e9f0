/** A streamed reply's text held as it grows: the same length and text as plain concatenation. */
import assert from "node:assert/strict";
import { GrowingText } from "../../shared/chats/growing-text.ts";

Deno.test("a growing text has the length and the text of its deltas joined, whenever it is read", () => {
  const text = new GrowingText();
  let plain = "";
  for (let i = 0; i < 1_000; i++) {
    const delta = i % 7 === 0 ? "é😀" : `part ${i} `;
    text.append(delta);
    plain += delta;
    assert.equal(text.length, plain.length);
    if (i % 97 === 0) assert.equal(text.toString(), plain);
  }
  assert.equal(text.toString(), plain);
  assert.equal(`${text}`, plain);
  assert.equal(new GrowingText().toString(), "");
});
