// Boundary checks of AsyncScheduler (valibot): constructor options and schedule()
// options. A bad option throws a TypeError naming it; inside, options are trusted.

import * as v from 'valibot';
import {
  aBoolean,
  aFunction,
  aLogger,
  aString,
  anAbortSignal,
  anArray,
  expected,
  expectedGot,
  finiteNumber,
  nonNegativeMs,
  parseOrThrow,
  positiveInt,
  positiveMs,
} from '../internal/option-schemas.ts';
import { JOB_STATUSES, type AsyncJobStatus } from './job-status.ts';

const eventBus = v.looseObject({ emit: aFunction }, expected('a mitt emitter (an object with emit)'));

const schedulerSchema = v.strictObject(
  {
    maxConcurrency: v.optional(positiveInt),
    eventBus: v.optional(eventBus),
    agingMs: v.optional(positiveMs),
    signal: v.optional(anAbortSignal),
    detached: v.optional(aBoolean),
    logger: v.optional(aLogger),
    // Checked by RemoteBackend (remote-backend.ts), which words its own TypeErrors (AsyncScheduler options.backend…).
    backend: v.optional(v.unknown()),
  },
  expected('an options object'),
);

const scheduleSchema = v.strictObject(
  {
    name: v.optional(aString),
    args: v.optional(anArray),
    priority: v.optional(finiteNumber),
    maxRuns: v.optional(positiveInt),
    timeoutMs: v.optional(positiveMs),
    retryDelayMs: v.optional(nonNegativeMs),
    delayMs: v.optional(nonNegativeMs),
  },
  expected('an options object'),
);

export type ParsedSchedulerOptions = v.InferOutput<typeof schedulerSchema>;
export type ParsedScheduleOptions = v.InferOutput<typeof scheduleSchema>;

export function parseSchedulerOptions(options: unknown): ParsedSchedulerOptions {
  return parseOrThrow(schedulerSchema, options, 'AsyncScheduler options');
}

export const EMPTY_OPTIONS: ParsedScheduleOptions = Object.freeze({});

export function parseScheduleOptions(fn: unknown, options: unknown): ParsedScheduleOptions {
  if (typeof fn !== 'function') throw new TypeError(`AsyncScheduler.schedule fn: ${expectedGot('a function', fn)}`);
  if (options === undefined) return EMPTY_OPTIONS;
  // schedule() is the hot path (100,000 calls a second): options that plainly fit are
  // used as they are; anything else goes through the schema, which also words the error.
  if (isPlainlyValid(options)) return options as ParsedScheduleOptions;
  return parseOrThrow(scheduleSchema, options, 'AsyncScheduler.schedule options');
}

const SCHEDULE_KEYS = new Set(Object.keys(scheduleSchema.entries));

// A conservative subset of scheduleSchema: false only means "let valibot decide".
function isPlainlyValid(options: unknown): boolean {
  if (typeof options !== 'object' || options === null || Object.getPrototypeOf(options) !== Object.prototype)
    return false;
  const o = options as Record<string, unknown>;
  // An unknown key goes to the strict schema, which names it.
  for (const key in o) if (!SCHEDULE_KEYS.has(key)) return false;
  return (
    (o.priority === undefined || Number.isFinite(o.priority)) &&
    (o.name === undefined || typeof o.name === 'string') &&
    (o.args === undefined || Array.isArray(o.args)) &&
    (o.maxRuns === undefined || (Number.isInteger(o.maxRuns) && (o.maxRuns as number) >= 1)) &&
    (o.timeoutMs === undefined || (Number.isFinite(o.timeoutMs) && (o.timeoutMs as number) > 0)) &&
    (o.retryDelayMs === undefined || (Number.isFinite(o.retryDelayMs) && (o.retryDelayMs as number) >= 0)) &&
    (o.delayMs === undefined || (Number.isFinite(o.delayMs) && (o.delayMs as number) >= 0))
  );
}

export function parseStatusFilter(status: unknown): AsyncJobStatus | undefined {
  if (status === undefined || JOB_STATUSES.includes(status as AsyncJobStatus))
    return status as AsyncJobStatus | undefined;
  throw new TypeError(
    `AsyncScheduler.listJobs status: ${expectedGot(`one of ${JOB_STATUSES.map((s) => `'${s}'`).join(', ')}`, status)}`,
  );
}
