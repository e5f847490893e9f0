/** Claims travel inside the statement as dollar-quoted literals: nothing in them can end the quote early. */
import assert from "node:assert/strict";
import postgres from "postgres";
import { dollarQuoted } from "../../shared/db/client.ts";
import { env } from "../helpers/env.ts";

Deno.test("a dollar-quoted literal never contains its own tag, however the text tries", () => {
  for (const text of ["", "plain", "$c$", "x$c$y$cc$z", "'; drop table x; --", "\\'\\\\", "$", "c$"]) {
    const quoted = dollarQuoted(text);
    const tag = quoted.slice(0, quoted.indexOf("$", 1) + 1);
    assert.ok(quoted.startsWith(tag) && quoted.endsWith(tag));
    assert.equal(quoted.slice(tag.length, -tag.length), text);
    assert.ok(!text.includes(tag), `the tag ${tag} is not in ${JSON.stringify(text)}`);
  }
});

Deno.test("Postgres reads the literal back as the very text, quotes, backslashes and dollars included", async () => {
  const sql = postgres(env.dbUrl, { max: 1, onnotice: () => {} });
  try {
    const texts = ['{"sub":"x\'y","role":"$c$authenticated"}', "a\\b\\\\c'", "$$", "$c$$cc$", "ünïcode ✓ 🦊"];
    for (const text of texts) {
      const [row] = await sql.unsafe(`select ${dollarQuoted(text)}::text as back`);
      assert.equal(row.back, text);
    }
  } finally {
    await sql.end();
  }
});
