/**
 * With STACK_RECORD_TRAFFIC=<file>, every request through the gateway and its answer are appended
 * to that file as JSON lines (headers and bodies as text, streamed answers once they end or the client leaves), for
 * proof/secrets.ts to search for secrets. Off otherwise: it holds bodies in memory.
 * @module
 */

export interface TrafficEntry {
  method: string;
  path: string;
  status: number;
  request: { headers: Record<string, string>; body: string };
  response: { headers: Record<string, string>; body: string };
}

type Handler = (request: Request, info?: Deno.ServeHandlerInfo) => Response | Promise<Response>;

/** `handler`, recording to `file` what it is asked and answers. */
export function recordingTraffic(handler: Handler, file: string): Handler {
  const append = (entry: TrafficEntry) =>
    Deno.writeTextFileSync(file, `${JSON.stringify(entry)}\n`, { append: true });
  return async (request, info) => {
    const url = new URL(request.url);
    const requestBody = request.body ? await request.clone().text() : "";
    const response = await handler(request, info);
    const entry = (body: string): TrafficEntry => ({
      method: request.method,
      path: url.pathname + url.search,
      status: response.status,
      request: { headers: Object.fromEntries(request.headers), body: requestBody },
      response: { headers: Object.fromEntries(response.headers), body },
    });
    if (!response.body) {
      append(entry(""));
      return response;
    }
    // A copy of each chunk as it passes (not tee(): its second reader would take the stream's
    // backpressure and pacing away from the client).
    const decoder = new TextDecoder();
    let text = "";
    const record = () => append(entry(text + decoder.decode()));
    const copying = new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        text += decoder.decode(chunk, { stream: true });
        controller.enqueue(chunk);
      },
      flush: record,
      cancel: record,
    } as Transformer<Uint8Array, Uint8Array>);
    const { status, statusText } = response;
    // fetch() decoded a compressed answer but kept its encoding headers: the copy is plain text.
    const headers = new Headers(response.headers);
    headers.delete("content-encoding");
    headers.delete("content-length");
    return new Response(response.body.pipeThrough(copying), { status, statusText, headers });
  };
}
