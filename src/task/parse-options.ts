// Validation at the public boundary of the task runner and the scheduler (valibot).
// Owns the shared field schemas and the one way a bad option becomes a TypeError whose
// message names the option and what was expected. Past this point options are trusted.

import * as v from 'valibot';
import { isLogger, LOGGER_EXPECTED, type ErgateLogger } from '../internal/logger.ts';

/** Field schemas carry what is expected as their message; parseOptions adds the name. */
export const positiveInteger = v.pipe(
  v.number('a positive integer'),
  v.integer('a positive integer'),
  v.minValue(1, 'a positive integer'),
);
export const nonNegativeMs = v.pipe(
  v.number('a non-negative number of milliseconds'),
  v.finite('a non-negative number of milliseconds'),
  v.minValue(0, 'a non-negative number of milliseconds'),
);
export const positiveMs = v.pipe(
  v.number('a positive number of milliseconds'),
  v.finite('a positive number of milliseconds'),
  v.gtValue(0, 'a positive number of milliseconds'),
);
export const finiteNumber = v.pipe(v.number('a finite number'), v.finite('a finite number'));
export const aBoolean = v.boolean('a boolean');
export const aFunction = v.function('a function');
export const aString = v.string('a string');
export const anArray = v.array(v.unknown(), 'an array');
export const anAbortSignal = v.instance(AbortSignal, 'an AbortSignal');
export const aLogger = v.custom<ErgateLogger>(isLogger, LOGGER_EXPECTED);

/**
 * Parses `input` with `schema` or throws a TypeError such as
 * "AsyncScheduler options.maxConcurrency: expected a positive integer, got -1".
 * undefined and null stand for "no options".
 */
export function parseOptions<S extends v.GenericSchema>(schema: S, input: unknown, label: string): v.InferOutput<S> {
  const result = v.safeParse(schema, input ?? {});
  if (result.success) return result.output;
  const issue = result.issues[0];
  const path = v.getDotPath(issue);
  const where = path === null ? label : `${label}.${path}`;
  // Strict schemas: a typo such as `maxConcurency` is refused, never silently ignored.
  if (issue.type === 'strict_object' && path !== null) throw new TypeError(`${where}: not a known option`);
  throw new TypeError(`${where}: expected ${issue.message}, got ${describeValue(issue.input)}`);
}

function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null || typeof value !== 'object') return String(value);
  const tag = Object.prototype.toString.call(value);
  return tag === '[object Object]' ? 'an object' : tag;
}
