// Validates runScript options once, at the public boundary (valibot), and fills in defaults.
// Everything after parseRunScriptOptions trusts its output. Errors are TypeErrors whose
// message names the option and what was expected, e.g. "options.timeoutMs must be a
// positive number of milliseconds (got -1)".
import * as v from 'valibot';
import type { ErgateLogger } from './types.ts';

const positiveNumber = v.pipe(v.number(), v.check((n) => n > 0 && !Number.isNaN(n)));
const positiveInteger = v.pipe(v.number(), v.integer(), v.minValue(1));
const exitCode = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255));
const isLogger = (value: unknown): value is ErgateLogger =>
  typeof value === 'object' && value !== null &&
  ['debug', 'info', 'warn', 'error'].every((m) => typeof (value as Record<string, unknown>)[m] === 'function');

export const RunScriptOptionsSchema = v.object({
  timeoutMs: v.optional(positiveNumber, 60_000),
  env: v.optional(v.record(v.string(), v.string())),
  cwd: v.optional(v.pipe(v.string(), v.minLength(1))),
  args: v.optional(v.array(v.string()), []),
  allowedExitCodes: v.optional(v.array(exitCode), [0]),
  memoryLimitMb: v.optional(positiveInteger),
  cpuTimeLimitS: v.optional(positiveInteger),
  python: v.optional(v.pipe(v.string(), v.minLength(1))),
  maxOutputBytes: v.optional(positiveInteger, 10 * 1024 * 1024),
  signal: v.optional(v.instance(AbortSignal)),
  onOutput: v.optional(v.custom<(stream: 'stdout' | 'stderr', chunk: string) => void>((f) => typeof f === 'function')),
  killGraceMs: v.optional(v.pipe(v.number(), v.minValue(0), v.check((n) => Number.isFinite(n))), 2_000),
  inheritEnv: v.optional(v.boolean(), true),
  envAllowList: v.optional(v.array(v.string()), []),
  startMethod: v.optional(v.picklist(['spawn', 'forkserver']), 'spawn'),
  preload: v.optional(v.array(v.string()), []),
  logger: v.optional(v.custom<ErgateLogger>(isLogger)),
});

export type ParsedRunScriptOptions = v.InferOutput<typeof RunScriptOptionsSchema>;

/** What each option must be, in words, for the TypeError message. */
const EXPECTED: Record<string, string> = {
  timeoutMs: 'a positive number of milliseconds',
  env: 'an object whose values are strings',
  cwd: 'a non-empty string (a folder path)',
  args: 'an array of strings',
  allowedExitCodes: 'an array of integers from 0 to 255',
  memoryLimitMb: 'a positive integer (MiB)',
  cpuTimeLimitS: 'a positive integer (seconds)',
  python: 'a non-empty string (an interpreter path or command)',
  maxOutputBytes: 'a positive integer (bytes)',
  signal: 'an AbortSignal',
  onOutput: 'a function (stream, chunk) => void',
  killGraceMs: 'a non-negative number of milliseconds',
  inheritEnv: 'a boolean',
  envAllowList: 'an array of strings',
  startMethod: "'spawn' or 'forkserver'",
  preload: 'an array of module names',
  logger: 'a pino-compatible logger with debug, info, warn and error methods',
};

/** Short, safe rendering of the offending value. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (typeof value === 'function') return 'a function';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  if (typeof value === 'object') return 'an object';
  return String(value);
}

/** @throws TypeError naming the first bad option. */
export function parseRunScriptOptions(options: unknown, optionName = 'options'): ParsedRunScriptOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${optionName} must be an object (got ${describeValue(options)})`);
  }
  const parsed = v.safeParse(RunScriptOptionsSchema, options);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const key = String(issue.path?.[0]?.key ?? '');
  const value = (options as Record<string, unknown>)[key];
  const nested = issue.path !== undefined && issue.path.length > 1;
  const where = nested ? `${optionName}.${issue.path!.map((p) => String(p.key)).join('.')}` : '';
  const detail = nested ? `got ${describeValue(issue.input)} at ${where}` : `got ${describeValue(value)}`;
  throw new TypeError(`${optionName}.${key} must be ${EXPECTED[key] ?? 'valid'} (${detail})`);
}
