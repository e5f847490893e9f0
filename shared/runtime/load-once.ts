/**
 * Code loaded on first use, once: given a function that runs a string-literal `import()`, a function that
 * imports on its first call and hands every later call the same promise — a settled `import()` still costs a
 * module lookup each time (~40 µs a request on the hosted runtime's Deno, bench/README.md). An import
 * that failed is tried again by the next call.
 * @module
 */
export function loadOnce<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () =>
    loading ??= load().catch((error) => {
      loading = undefined;
      throw error;
    });
}
