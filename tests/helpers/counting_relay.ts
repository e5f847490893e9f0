/**
 * A TCP relay in front of a database that counts what the client sends, write by write: each write is a
 * flight of messages, so the count is the client's round trips.
 * @module
 */

export interface CountingRelay {
  flights: number;
  port: number;
  close(): void;
}

/** A relay to `target` (its host and port) on a free local port. */
export function countingRelay(target: URL): CountingRelay {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const relay = { flights: 0, port: (listener.addr as Deno.NetAddr).port, close: () => listener.close() };
  void (async () => {
    for await (const client of listener) {
      const server = await Deno.connect({ hostname: target.hostname, port: Number(target.port) });
      client.readable.pipeTo(
        new WritableStream({ write: (chunk) => void (relay.flights += 1, server.write(chunk)) }),
      ).catch(() => {});
      server.readable.pipeTo(client.writable).catch(() => {});
    }
  })().catch(() => {});
  return relay;
}

/** `url` pointed at the relay. */
export function throughRelay(url: string, relay: CountingRelay): string {
  const via = new URL(url);
  via.hostname = "127.0.0.1";
  via.port = String(relay.port);
  return via.href;
}
