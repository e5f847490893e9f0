/**
 * SSE parser choice for shared/llm/chat/sse.ts: `eventsource-parser` (npm) against a minimal
 * hand-written line parser (bench/support/sse-line-parser.ts). Prints, for each, the cost of
 * importing it in a fresh process (after hono, so the npm resolver is warm as in the api function;
 * median of N processes) and the time to parse a long OpenAI-style stream cut into 1-97 byte slices
 * (median of 9 runs in this process); and, for scale, the cost of importing the whole api app.
 * No stack needed.
 *
 *   deno run -A bench/sse-parser.ts [processes=15] [events=5000]
 */
import { createParser } from "eventsource-parser";
import { createLineParser } from "./support/sse-line-parser.ts";

const processes = Number(Deno.args[0] ?? 15);
const events = Number(Deno.args[1] ?? 5000);
const root = new URL("../", import.meta.url);

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

/** ms to `import(specifier)` in a new Deno process, and that process's whole run time. */
async function importCost(specifier: string): Promise<{ importMs: number; processMs: number }> {
  const script = `import "hono";
const started = performance.now();
await import(${JSON.stringify(specifier)});
console.log(performance.now() - started);`;
  const started = performance.now();
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", new URL("deno.json", root).pathname, script],
    cwd: root.pathname,
  }).output();
  if (!output.success) throw new Error(new TextDecoder().decode(output.stderr));
  return {
    importMs: Number(new TextDecoder().decode(output.stdout)),
    processMs: performance.now() - started,
  };
}

function streamText(count: number): string {
  let text = ": OPENROUTER PROCESSING\n\n";
  for (let i = 0; i < count; i++) {
    const chunk = {
      id: "chatcmpl-1",
      object: "chat.completion.chunk",
      model: "m",
      choices: [{ index: 0, delta: { content: `token ${i} ` }, finish_reason: null }],
    };
    text += `data: ${JSON.stringify(chunk)}\n\n`;
  }
  return `${text}data: [DONE]\n\n`;
}

function slices(text: string): string[] {
  const parts: string[] = [];
  for (let at = 0, size = 1; at < text.length; at += size, size = (size * 31) % 97 + 1) {
    parts.push(text.slice(at, at + size));
  }
  return parts;
}

function parseMs(feedAll: (parts: string[]) => number, parts: string[], expected: number): number {
  const runs: number[] = [];
  for (let i = 0; i < 9; i++) {
    const started = performance.now();
    const seen = feedAll(parts);
    runs.push(performance.now() - started);
    if (seen !== expected) throw new Error(`parsed ${seen} events, expected ${expected}`);
  }
  return median(runs);
}

const withPackage = (parts: string[]) => {
  let seen = 0;
  const parser = createParser({ onEvent: () => seen++ });
  for (const part of parts) parser.feed(part);
  return seen;
};
const withLineParser = (parts: string[]) => {
  let seen = 0;
  const parser = createLineParser(() => seen++);
  for (const part of parts) parser.feed(part);
  return seen;
};

const candidates = [
  { name: "eventsource-parser 4.1.3", specifier: "eventsource-parser", parse: withPackage },
  {
    name: "hand-written line parser",
    specifier: "./bench/support/sse-line-parser.ts",
    parse: withLineParser,
  },
];
const appImports = [];
for (let i = 0; i < processes; i++) appImports.push((await importCost("./shared/api.ts")).importMs);
console.log(`for scale, importing the whole api app (shared/api.ts): ${median(appImports).toFixed(0)} ms`);
const text = streamText(events);
const parts = slices(text);
console.log(`stream: ${events} events, ${(text.length / 1e6).toFixed(2)} MB in ${parts.length} slices`);
for (const candidate of candidates) {
  const costs = [];
  for (let i = 0; i < processes; i++) costs.push(await importCost(candidate.specifier));
  const importMs = median(costs.map((c) => c.importMs));
  const processMs = median(costs.map((c) => c.processMs));
  const parse = parseMs(candidate.parse, parts, events + 1);
  console.log(
    `${candidate.name}: import ${importMs.toFixed(2)} ms (process ${processMs.toFixed(0)} ms), parse ${
      parse.toFixed(1)
    } ms`,
  );
}
