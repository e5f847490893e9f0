/**
 * Deadlines as abort signals whose reasons read well in a job's error_log. Plain controllers and
 * timers (cleared when the job ends), not AbortSignal.timeout/any: a drain of thousands of short
 * jobs would otherwise leave a live timer behind for each of them.
 * @module
 */

export interface Deadline {
  signal: AbortSignal;
  /** Releases the timer (and the link to the parent); call it when the work ends. */
  clear(): void;
}

/**
 * Aborts after `ms`, or as soon as `parent` aborts (with the parent's reason). The reason is an
 * Error with `explanation` as its message when one is given, else a plain TimeoutError.
 */
export function deadline(ms: number, options: { parent?: AbortSignal; explanation?: string } = {}): Deadline {
  const { parent, explanation } = options;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(explanation ? new Error(explanation) : new DOMException("Timed out.", "TimeoutError"));
  }, ms);
  const follow = () => controller.abort(parent?.reason);
  if (parent?.aborted) follow();
  else parent?.addEventListener("abort", follow, { once: true });
  return {
    signal: controller.signal,
    clear: () => {
      clearTimeout(timer);
      parent?.removeEventListener("abort", follow);
    },
  };
}
