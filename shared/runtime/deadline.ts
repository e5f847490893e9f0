/**
 * `Deadline`, the one deadline helper of the backend (provider calls and the job runner): an abort
 * signal with a time limit, a parent it follows, and — for limits on silence — a clock that each
 * sign of life starts again. A plain controller and timer, cleared when the work ends: not
 * AbortSignal.timeout/any, which would leave a live timer behind for each of the thousands of short
 * jobs of a drain. Its abort reason can explain itself (a job's error_log reads it).
 * @module
 */

export interface DeadlineOptions {
  /** Stops this deadline too, with the parent's reason (the caller's abort, an outer deadline). */
  parent?: AbortSignal;
  /** The message of the abort reason when the time runs out (for a job's error_log). */
  explanation?: string;
  /** Every `touch` starts the time again: a limit on silence, not on the whole call. */
  idle?: boolean;
}

/**
 * An abort signal that fires after `ms` (Infinity: never by itself, only with its parent) or as
 * soon as the parent aborts. When the time runs out the reason is an Error with the explanation as
 * its message if one was given, else a plain TimeoutError.
 */
export class Deadline {
  readonly #controller = new AbortController();
  readonly #ms: number;
  readonly #options: DeadlineOptions;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** When the time started (again): the start, or the last touch of an idle deadline. */
  #touchedAt = performance.now();
  #expired = false;

  constructor(ms: number, options: DeadlineOptions = {}) {
    this.#ms = ms;
    this.#options = options;
    this.#arm();
    const { parent } = options;
    if (parent?.aborted) this.#follow();
    else parent?.addEventListener("abort", this.#follow, { once: true });
  }

  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /**
   * The provider just said something: an idle deadline starts again. Only the time is noted: the timer,
   * when it fires, waits on for what is left since the last touch. Re-arming it on every chunk of a long
   * stream cost ~8 % of a streamed reply's CPU on the hosted runtime's Deno (bench/README.md).
   */
  touch(): void {
    if (this.#options.idle) this.#touchedAt = performance.now();
  }

  /** The time ran out and no explanation was given (a plain timeout, not the caller's abort). */
  get timedOut(): boolean {
    return this.#expired && !this.#options.explanation;
  }

  /** The limit, in milliseconds. */
  get ms(): number {
    return this.#ms;
  }

  /** Releases the timer and the link to the parent; call it when the work ends. */
  clear(): void {
    clearTimeout(this.#timer);
    this.#options.parent?.removeEventListener("abort", this.#follow);
  }

  #arm(ms = this.#ms): void {
    clearTimeout(this.#timer);
    if (this.signal.aborted || !Number.isFinite(this.#ms)) return;
    this.#timer = setTimeout(this.#expire, ms);
  }

  #expire = () => {
    const left = this.#touchedAt + this.#ms - performance.now();
    if (left >= 1) return this.#arm(left); // touched since the timer was set
    this.#expired = true;
    const { explanation } = this.#options;
    this.#controller.abort(
      explanation ? new Error(explanation) : new DOMException("Timed out.", "TimeoutError"),
    );
  };

  #follow = () => {
    clearTimeout(this.#timer);
    this.#controller.abort(this.#options.parent?.reason);
  };
}

/** A deadline `ms` from now (see `Deadline`). */
export function deadline(ms: number, options: DeadlineOptions = {}): Deadline {
  return new Deadline(ms, options);
}
