/** A configuration or environment problem, reported to the user as one sentence saying what to do. */
export class StackError extends Error {
  override name = "StackError";
}
