/**
 * A streamed reply's text as it grows, delta by delta: its length (UTF-16 code units, the deltas'
 * ids) at once, the text itself when asked for. Deltas are joined in groups, so a long reply is held
 * in a few strings rather than as one string plus one link per delta: those all outlived V8's
 * young-generation collections, which grew it to its largest size during a 100,000-delta reply
 * (~16 MB more resident memory; bench/README.md, issue 20).
 * @module
 */

/** Deltas joined into one string at a time. */
const GROUP = 64;

export class GrowingText {
  #joined = "";
  readonly #recent: string[] = [];
  #length = 0;

  get length(): number {
    return this.#length;
  }

  append(delta: string): void {
    this.#recent.push(delta);
    this.#length += delta.length;
    if (this.#recent.length >= GROUP) this.#join();
  }

  toString(): string {
    this.#join();
    return this.#joined;
  }

  #join(): void {
    if (this.#recent.length === 0) return;
    this.#joined += this.#recent.join("");
    this.#recent.length = 0;
  }
}
