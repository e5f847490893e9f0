/**
 * Performs one queued pg_net request and describes its outcome the way pg_net's worker records it.
 * @module
 */

/** A row of net.http_request_queue. */
export interface QueuedRequest {
  id: string;
  method: string;
  url: string;
  headers: Record<string, unknown>;
  body: Uint8Array<ArrayBuffer> | null;
  timeout_milliseconds: number;
}

/** A row for net._http_response (created is left to its default). */
export interface RequestOutcome {
  id: string;
  status_code: number | null;
  content_type: string | null;
  headers: Record<string, string> | null;
  content: string | null;
  timed_out: boolean;
  error_msg: string | null;
}

/** Raised when the dispatcher is stopping: the request is abandoned, not recorded. */
export class Abandoned extends Error {
  override name = "Abandoned";
}

function headersOf(request: QueuedRequest): Headers {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    if (value !== null && value !== undefined) headers.set(name, String(value));
  }
  return headers;
}

/** Postgres text cannot hold NUL characters. */
function asText(bytes: ArrayBuffer): string {
  return new TextDecoder().decode(bytes).replaceAll("\0", "");
}

/** Words libcurl would use for the usual transport failures (pg_net's error_msg is curl's). */
function describeTransportError(error: unknown): string {
  const message = error instanceof Error ? `${error.message} ${String(error.cause ?? "")}` : String(error);
  if (/refused/i.test(message)) return "Couldn't connect to server";
  if (/dns|lookup|resolve|name or service/i.test(message)) return "Couldn't resolve host name";
  if (/invalid url|url parse|relative url/i.test(message)) {
    return "URL using bad/illegal format or missing URL";
  }
  return message.trim();
}

function failure(request: QueuedRequest, message: string, timedOut = false): RequestOutcome {
  return {
    id: request.id,
    status_code: null,
    content_type: null,
    headers: null,
    content: null,
    timed_out: timedOut,
    error_msg: message,
  };
}

/**
 * Sends the request with its own timeout (connection, request and body read together, like curl's
 * CURLOPT_TIMEOUT_MS). Throws {@link Abandoned} when `stopping` aborts it first.
 */
export async function performRequest(request: QueuedRequest, stopping: AbortSignal): Promise<RequestOutcome> {
  const timeout = AbortSignal.timeout(request.timeout_milliseconds);
  const signal = AbortSignal.any([timeout, stopping]);
  const started = performance.now();
  const method = request.method.toUpperCase();
  try {
    const response = await fetch(request.url, {
      method,
      headers: headersOf(request),
      body: method === "GET" ? undefined : request.body ?? undefined,
      redirect: "manual",
      signal,
    });
    const content = asText(await response.arrayBuffer());
    return {
      id: request.id,
      status_code: response.status,
      content_type: response.headers.get("content-type"),
      headers: Object.fromEntries(response.headers),
      content,
      timed_out: false,
      error_msg: null,
    };
  } catch (error) {
    if (stopping.aborted) throw new Abandoned(`request ${request.id} abandoned`);
    if (timeout.aborted) {
      const total = (performance.now() - started).toFixed(3);
      return failure(
        request,
        `Timeout of ${request.timeout_milliseconds} ms reached. Total time: ${total} ms`,
        true,
      );
    }
    return failure(request, describeTransportError(error));
  }
}
