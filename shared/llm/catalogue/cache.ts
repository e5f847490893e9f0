/**
 * An in-isolate cache with a time to live, for provider catalogues. Concurrent callers of a key
 * that is being loaded share the one load; a failed load is not kept. Bounded: the oldest entry
 * goes when it is full.
 * @module
 */

interface Entry<T> {
  value: Promise<T>;
  /** Infinity while the load is under way. */
  expiresAt: number;
}

export class TtlCache<T> {
  readonly #entries = new Map<string, Entry<T>>();

  /** `ttlMs` is read at every store, so a changed setting applies without a restart. */
  constructor(private readonly ttlMs: () => number, private readonly maxEntries = 1000) {}

  /** Whether `key` holds a live value (or one being loaded). */
  has(key: string): boolean {
    const entry = this.#entries.get(key);
    if (entry && entry.expiresAt <= Date.now()) this.#entries.delete(key);
    return this.#entries.has(key);
  }

  /** The live value of `key`, else what `load` gives (then kept for the TTL). */
  get(key: string, load: () => Promise<T>): Promise<T> {
    if (this.has(key)) return this.#entries.get(key)!.value;
    return this.#load(key, load);
  }

  /** Loads `key` again even when it is live, replacing the value once the load succeeds. */
  refresh(key: string, load: () => Promise<T>): Promise<T> {
    return this.#load(key, load);
  }

  /** Keeps a value obtained elsewhere (e.g. while validating a key). */
  set(key: string, value: T): void {
    this.#store(key, { value: Promise.resolve(value), expiresAt: Date.now() + this.ttlMs() });
  }

  clear(): void {
    this.#entries.clear();
  }

  #load(key: string, load: () => Promise<T>): Promise<T> {
    const entry: Entry<T> = { value: load(), expiresAt: Infinity };
    this.#store(key, entry);
    entry.value.then(
      () => {
        entry.expiresAt = Date.now() + this.ttlMs();
      },
      () => {
        if (this.#entries.get(key) === entry) this.#entries.delete(key);
      },
    );
    return entry.value;
  }

  #store(key: string, entry: Entry<T>): void {
    this.#entries.delete(key);
    if (this.#entries.size >= this.maxEntries) this.#entries.delete(this.#entries.keys().next().value!);
    this.#entries.set(key, entry);
  }
}
