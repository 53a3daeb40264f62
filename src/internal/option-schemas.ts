// Shared valibot pieces for the option validators at each public boundary: one parse that
// throws the TypeError (parseOrThrow), one wording of "expected X, got Y" and the integer
// schemas every validator needs. Imports valibot only, so
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

/** What a script timeout must be, in the one wording every validator uses. */
export const TIMEOUT_EXPECTED = 'a positive number of milliseconds, or Infinity for none';

/** A script timeout: Infinity means none (no timer is set for 2^31 ms or more); NaN is refused. */
export const timeoutMs = v.pipe(
  v.number(expected(TIMEOUT_EXPECTED)),
  v.check((n) => n > 0 && !Number.isNaN(n), expected(TIMEOUT_EXPECTED)),
);

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

/** Parses `input` or throws a TypeError such as "ParallelRunner options.maxWorkers: expected a positive integer, got 0". */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown, name: string): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input ?? {});
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const dotPath = v.getDotPath(issue);
  // Strict schemas: a typo such as `maxWorker` is refused, never silently ignored.
  if (issue.type === 'strict_object' && dotPath) throw new TypeError(`${name}.${dotPath}: not a known option`);
  throw new TypeError(`${name}${dotPath ? `.${dotPath}` : ''}: ${issue.message}`);
}
