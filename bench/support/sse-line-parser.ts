/**
 * The alternative measured in bench/sse-parser.ts: a minimal hand-written SSE line parser (LF and
 * CRLF, comments skipped, `event:` and multi-line `data:`). Not used by the app.
 * @module
 */
export interface LineParserEvent {
  event?: string;
  data: string;
}

/** A parser fed text chunks; calls `onEvent` for each complete event. */
export function createLineParser(onEvent: (event: LineParserEvent) => void) {
  let pending = "";
  let event: string | undefined;
  let data: string[] = [];
  const line = (text: string) => {
    if (text === "") {
      if (data.length) onEvent({ event, data: data.join("\n") });
      event = undefined;
      data = [];
    } else if (text.startsWith("data:")) data.push(text.slice(text[5] === " " ? 6 : 5));
    else if (text.startsWith("event:")) event = text.slice(text[6] === " " ? 7 : 6);
  };
  return {
    feed(chunk: string) {
      const lines = (pending + chunk).split("\n");
      pending = lines.pop()!;
      for (const text of lines) line(text.endsWith("\r") ? text.slice(0, -1) : text);
    },
  };
}
