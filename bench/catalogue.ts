/**
 * The model catalogue's latency (GET /v1/models through the gateway) with a cold cache vs a warm
 * one, for one user with three providers (Groq, OpenRouter, Mistral fakes that answer after a
 * simulated network delay). Cold = `?refresh=true` (every provider fetched again, concurrently,
 * keys read from Vault); warm = served from the in-isolate cache. Prints p50/p99 and the ratio.
 * Needs a running stack (SUPABASE_* variables, e.g. `eval "$(bash stack/bin/test-env)"`).
 *
 *   deno run -A bench/catalogue.ts [rounds=40] [provider delay ms=100]
 */
import { call, signUpUser } from "../tests/helpers/api.ts";
import { startFakeProvider } from "../tests/helpers/fake_providers.ts";
import { activateFake } from "../tests/helpers/providers.ts";

const rounds = Number(Deno.args[0] ?? 40);
const delayMs = Number(Deno.args[1] ?? 100);

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

const ms = (value: number) => `${value.toFixed(1)} ms`;

/** Latencies of `rounds` sequential calls of `path`, each checked to list every model. */
async function measure(path: string, token: string, expected: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let round = 0; round < rounds; round++) {
    const started = performance.now();
    const { status, body } = await call(path, { token });
    latencies.push(performance.now() - started);
    if (status !== 200 || body.models.length !== expected) throw new Error(`unexpected answer: ${status}`);
  }
  return latencies.sort((a, b) => a - b);
}

const fakes = [startFakeProvider("groq"), startFakeProvider("openrouter"), startFakeProvider("mistral")];
try {
  const user = await signUpUser("Bench User");
  for (const fake of fakes) {
    const { status } = await activateFake(user.token, fake);
    if (status !== 200) throw new Error(`activating ${fake.provider} failed: ${status}`);
    fake.behaviour.delayMs = delayMs;
  }
  const expected = (await call("/v1/models?refresh=true", { token: user.token })).body.models.length;
  const before = fakes.map((fake) => fake.count("/models"));
  const cold = await measure("/v1/models?refresh=true", user.token, expected);
  const coldRequests = fakes.map((fake, index) => fake.count("/models") - before[index]);
  const warm = await measure("/v1/models", user.token, expected);
  const warmRequests = fakes.map((fake, index) =>
    fake.count("/models") - before[index] - coldRequests[index]
  );

  console.log(
    `catalogue: 3 providers, ${expected} models, provider delay ${delayMs} ms, ${rounds} rounds each`,
  );
  for (const [name, latencies] of [["cold (refresh)", cold], ["warm (cached)", warm]] as const) {
    console.log(
      `${name.padEnd(15)} p50 ${ms(percentile(latencies, 50))}  p99 ${ms(percentile(latencies, 99))}  ` +
        `min ${ms(latencies[0])}  max ${ms(latencies.at(-1)!)}`,
    );
  }
  console.log(`cold/warm p50 ratio: ${(percentile(cold, 50) / percentile(warm, 50)).toFixed(1)}x`);
  console.log(
    `provider requests: cold ${coldRequests.join("/")}, warm ${
      warmRequests.join("/")
    } (groq/openrouter/mistral)`,
  );
} finally {
  await Promise.all(fakes.map((fake) => fake.close()));
}
