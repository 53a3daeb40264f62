// Shared valibot pieces for the option validators at each public boundary: one parse that
// throws the TypeError (parseOrThrow), one rendering of a bad value (describeValue), one
// wording of "expected X, got Y" and the field schemas several boundaries compose.
// Imports valibot, the logger check and the did-you-mean only, so light modules (the distributed
// option checks) can use it. A strict object's unknown key is named with its likely meaning.
import * as v from 'valibot';
import { suggestion } from './did-you-mean.ts';
import { isLogger, LOGGER_EXPECTED, type ErgateLogger } from './logger.ts';

/** How a bad value is shown in a TypeError: a quoted string (cut at 40), null, an array, a function, an object, or the value. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') {
    const tag = Object.prototype.toString.call(value);
    return tag === '[object Object]' ? 'an object' : tag;
  }
  const primitive = value as number | boolean | bigint | symbol | undefined;
  return String(primitive);
}

/** "expected <what>, got <the value>": the one wording of a value that is not what an option takes. */
export function expectedGot(what: string, value: unknown): string {
  return `expected ${what}, got ${describeValue(value)}`;
}

/** A valibot message: "expected <what>, got <the input>". */
export const expected = (what: string) => (issue: v.BaseIssue<unknown>) => expectedGot(what, issue.input);

/** What a finite timeout or interval must be, in the one wording every validator uses. */
export const POSITIVE_MS_EXPECTED = 'a positive number of milliseconds';
/** What a script timeout must be: the same, or Infinity for none. */
export const TIMEOUT_EXPECTED = `${POSITIVE_MS_EXPECTED}, or Infinity for none`;

/** A script timeout: Infinity means none (no timer is set for 2^31 ms or more); NaN is refused. */
export const timeoutMs = v.pipe(
  v.number(expected(TIMEOUT_EXPECTED)),
  v.check((n) => n > 0 && !Number.isNaN(n), expected(TIMEOUT_EXPECTED)),
);

/** A finite, positive number of milliseconds (a job's or task's timeout, an aging step). */
export const positiveMs = v.pipe(
  v.number(expected(POSITIVE_MS_EXPECTED)),
  v.finite(expected(POSITIVE_MS_EXPECTED)),
  v.gtValue(0, expected(POSITIVE_MS_EXPECTED)),
);

/** A finite number of milliseconds, 0 or more (a delay). */
export const nonNegativeMs = v.pipe(
  v.number(expected('a non-negative number of milliseconds')),
  v.finite(expected('a non-negative number of milliseconds')),
  v.minValue(0, expected('a non-negative number of milliseconds')),
);

/** A finite number above 0 (a memory or CPU limit, a share of a median). */
export const positiveNumber = v.pipe(
  v.number(expected('a positive number')),
  v.check((n) => Number.isFinite(n) && n > 0, expected('a positive finite number')),
);

export const finiteNumber = v.pipe(v.number(expected('a finite number')), v.finite(expected('a finite number')));
export const aBoolean = v.boolean(expected('a boolean'));
export const aFunction = v.function(expected('a function'));
export const aString = v.string(expected('a string'));
export const anArray = v.array(v.unknown(), expected('an array'));
export const anAbortSignal = v.instance(AbortSignal, expected('an AbortSignal'));
export const aLogger = v.custom<ErgateLogger>(isLogger, expected(LOGGER_EXPECTED));

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

/** The entries of an object schema, through optional and nullable wrappers (a pipe carries its schema's). */
function entriesOf(schema: unknown): Record<string, unknown> | undefined {
  let current = schema as { entries?: Record<string, unknown>; wrapped?: unknown } | undefined;
  for (let depth = 0; current && !current.entries && depth < 8; depth++) current = current.wrapped as typeof current;
  return current?.entries;
}

/**
 * " (did you mean timeoutMs?)" for a strict object's unknown key `issue` names, when one of the
 * keys `schema` takes at that place is a likely typo of it; "" otherwise.
 */
export function unknownKeyHint(schema: v.GenericSchema, issue: v.BaseIssue<unknown>): string {
  const path = issue.path ?? [];
  const key = path.at(-1)?.key;
  if (typeof key !== 'string') return '';
  let at: unknown = schema;
  for (const item of path.slice(0, -1)) at = entriesOf(at)?.[String(item.key)];
  return suggestion(key, Object.keys(entriesOf(at) ?? {}));
}

/** Parses `input` or throws a TypeError such as "ParallelRunner options.maxWorkers: expected a positive integer, got 0". */
export function parseOrThrow<S extends v.GenericSchema>(schema: S, input: unknown, name: string): v.InferOutput<S> {
  const parsed = v.safeParse(schema, input ?? {});
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const dotPath = v.getDotPath(issue);
  // Strict schemas: a typo such as `maxWorker` is refused, never silently ignored.
  if (issue.type === 'strict_object' && dotPath)
    throw new TypeError(`${name}.${dotPath}: not a known option${unknownKeyHint(schema, issue)}`);
  throw new TypeError(`${name}${dotPath ? `.${dotPath}` : ''}: ${issue.message}`);
}
