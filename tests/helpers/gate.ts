/**
 * A gate a test opens by hand when something it waits for has happened, or that gives up by itself:
 * a fake provider held at a gate proves an order of events without betting on a clock.
 *
 * @example
 * const replied = gate();
 * fake.script({ until: replied.outcome, json: title });   // the title waits for the reply
 * await post(...); replied.open();
 * assert.equal(await replied.outcome, "opened");           // "gave up" had the reply waited
 */
export interface Gate {
  outcome: Promise<"opened" | "gave up">;
  open(): void;
}

export function gate(giveUpAfterMs = 5_000): Gate {
  const { promise, resolve } = Promise.withResolvers<"opened" | "gave up">();
  const timer = setTimeout(() => resolve("gave up"), giveUpAfterMs);
  return {
    outcome: promise,
    open() {
      clearTimeout(timer);
      resolve("opened");
    },
  };
}
