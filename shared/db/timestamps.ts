/**
 * `timestamptz` values read as the API writes them: ISO 8601 in UTC with milliseconds, as
 * `Date#toJSON` gives, made from Postgres's text without a `Date` in between. Building and printing
 * the Dates took most of the time of serializing a page of chats (bench/README.md, "Load").
 * @module
 */

/** Postgres's ISO output in UTC: `2026-11-24 05:35:00.123456+00` (fraction only when non-zero). */
const UTC_TEXT = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:\.\d{1,6})?\+00$/;

/**
 * The ISO form of a timestamptz's text, truncated to milliseconds as `new Date(text)` would be. Cut
 * from the text by position once the pattern has matched (a match's captures cost a page of 50 chats
 * ~100 arrays and their strings).
 */
export function isoTimestamp(text: string): string {
  if (!UTC_TEXT.test(text)) return new Date(text).toISOString(); // another time zone, BC, beyond year 9999
  const fraction = text.slice(20, -3); // after "YYYY-MM-DD HH:MM:SS.", before "+00"; "" without one
  return `${text.slice(0, 10)}T${text.slice(11, 19)}.${(fraction + "000").slice(0, 3)}Z`;
}

/** The postgres.js type for timestamptz: parsed to ISO strings, written from Dates or strings. */
export const timestamptz = {
  to: 1184,
  from: [1184],
  serialize: (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString(),
  parse: isoTimestamp,
};
