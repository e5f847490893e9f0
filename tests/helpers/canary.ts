/** A TCP listener on loopback counting every connection made to it (nothing may reach it). */
export function canary() {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const state = { connections: 0, port: listener.addr.port };
  (async () => {
    for await (const connection of listener) {
      state.connections++;
      connection.close();
    }
  })().catch(() => {});
  return { state, close: () => listener.close() };
}
