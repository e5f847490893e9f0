/**
 * Reading and dropping the rest of a refused body, so a client still uploading gets its answer (a
 * 413, a 415) instead of a reset connection — which the app would take for a network failure and
 * re-send elsewhere. A body larger than the allowance is left unread: the connection is closed on it.
 * @module
 */

/** How much of a refused body is read (and dropped) before answering, as a multiple of the body limit. */
export const DRAIN_FACTOR = 16;

/** Reads and drops what `reader` still holds, up to `maxBytes`, then releases it. */
export async function drainReader(reader: ReadableStreamDefaultReader<Uint8Array>, maxBytes: number) {
  let read = 0;
  try {
    while (read <= maxBytes) {
      const { done, value } = await reader.read();
      if (done) return;
      read += value.byteLength;
    }
  } catch {
    // The client went away: nothing to answer.
  } finally {
    await reader.cancel().catch(() => {});
  }
}

/** Drains a request's unread body (see {@link drainReader}). */
export async function drainBody(request: Request, maxBytes: number): Promise<void> {
  if (!request.body || request.bodyUsed || request.body.locked) return;
  await drainReader(request.body.getReader(), maxBytes);
}
