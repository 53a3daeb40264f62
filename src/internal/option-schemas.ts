// Shared valibot pieces for the option validators at each public boundary: one wording of
// "expected X, got Y" and the integer schemas every validator needs. Imports valibot only, so
// light modules (the distributed option checks) can use it without loading anything else.
import * as v from 'valibot';

/** How a bad input is shown in a TypeError: null, an array, a quoted string, a number, or its type. */
export function describeInput(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return typeof value;
}

/** A valibot message: "expected <what>, got <the input>". */
export const expected = (what: string) => (issue: v.BaseIssue<unknown>) =>
  `expected ${what}, got ${describeInput(issue.input)}`;

export const positiveInt = v.pipe(
  v.number(expected('a positive integer')),
  v.integer(expected('a positive integer')),
  v.minValue(1, expected('a positive integer')),
);

export const nonNegativeInt = v.pipe(
  v.number(expected('a non-negative integer')),
  v.integer(expected('a non-negative integer')),
  v.minValue(0, expected('a non-negative integer')),
);
