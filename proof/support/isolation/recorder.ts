/**
 * Every API call of the proof goes through a recorder, which keeps each response's status, headers
 * and body as text for the secrets scan and the leak checks.
 * @module
 */
import { call, type CallOptions, type CallResult } from "../../../tests/helpers/api.ts";

export interface Recorded {
  label: string;
  status: number;
  text: string;
}

const asText = (body: unknown) => typeof body === "string" ? body : JSON.stringify(body);

export class Recorder {
  readonly responses: Recorded[] = [];

  // deno-lint-ignore no-explicit-any
  record<T = any>(label: string, result: CallResult<T>): CallResult<T> {
    const headers = [...result.headers].map(([name, value]) => `${name}: ${value}`).join("\n");
    this.responses.push({ label, status: result.status, text: `${headers}\n\n${asText(result.body)}` });
    return result;
  }

  // deno-lint-ignore no-explicit-any
  async call<T = any>(path: string, options: CallOptions = {}): Promise<CallResult<T>> {
    const label = `${options.method ?? "GET"} ${path}`;
    return this.record(label, await call<T>(path, options));
  }

  /** Everything recorded, for the secrets scan. */
  allText(): string {
    return this.responses.map((response) => response.text).join("\n");
  }
}
