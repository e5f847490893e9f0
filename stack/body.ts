/**
 * Reading a request body of bounded size for the platform stand-ins: never more than `limit` bytes
 * are held, whatever the client declared.
 * @module
 */

/** The body's bytes; `tooLarge()` is thrown as soon as they pass `limit`. */
export async function readAtMost(
  body: ReadableStream<Uint8Array> | null,
  limit: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body ?? []) {
    size += chunk.length;
    if (size > limit) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
