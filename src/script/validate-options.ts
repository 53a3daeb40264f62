// Validates runScript options once, at the public boundary (valibot), and fills in defaults.
// Everything after parseRunScriptOptions trusts its output. Errors are TypeErrors whose
// message names the option and what was expected, e.g. "options.timeoutMs must be a
// positive number of milliseconds (got -1)".
import * as v from 'valibot';
import { isLogger, type ErgateLogger } from '../internal/logger.ts';
import {
  describeValue,
  TIMEOUT_EXPECTED,
  unknownKeyHint,
  timeoutMs as positiveTimeout,
} from '../internal/option-schemas.ts';
import { pathFromBytes } from '../internal/byte-names.ts';

const positiveInteger = v.pipe(v.number(), v.integer(), v.minValue(1));
// rlimits are C longs in the child: a larger value would crash the launcher, not limit it.
const MAX_LIMIT = 2 ** 40;
const limitInteger = v.pipe(positiveInteger, v.maxValue(MAX_LIMIT));
const MAX_TIMER_MS = 2 ** 31 - 1;
const exitCode = v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(255));
// A NUL byte cannot cross exec (C strings end there): refused here, before anything runs.
const text = v.pipe(
  v.string(),
  v.check((s) => !s.includes('\0')),
);
const nonEmptyText = v.pipe(text, v.minLength(1));

/** A dotted Python module name (pytest, pkg.sub): it reaches the child as an argv entry, never as code. */
export const MODULE_NAME = /^[A-Za-z_]\w*(\.[A-Za-z_]\w*)*$/;

// Strict: an unknown key (a typo such as `timeout`) is refused, never silently ignored.
export const RunScriptOptionsSchema = v.strictObject({
  timeoutMs: v.optional(positiveTimeout, 60_000),
  env: v.optional(v.record(text, text)),
  cwd: v.optional(nonEmptyText),
  args: v.optional(v.array(text), []),
  allowedExitCodes: v.optional(v.array(exitCode), [0]),
  memoryLimitMb: v.optional(limitInteger),
  cpuTimeLimitS: v.optional(limitInteger),
  python: v.optional(nonEmptyText),
  maxOutputBytes: v.optional(positiveInteger, 10 * 1024 * 1024),
  signal: v.optional(v.instance(AbortSignal)),
  onOutput: v.optional(v.custom<(stream: 'stdout' | 'stderr', chunk: string) => void>((f) => typeof f === 'function')),
  killGraceMs: v.optional(v.pipe(v.number(), v.minValue(0), v.maxValue(MAX_TIMER_MS)), 2_000),
  inheritEnv: v.optional(v.boolean(), true),
  envAllowList: v.optional(v.array(text), []),
  startMethod: v.optional(v.picklist(['spawn', 'forkserver']), 'spawn'),
  preload: v.optional(v.array(v.string()), []),
  module: v.optional(v.pipe(v.string(), v.regex(MODULE_NAME))),
  recordImports: v.optional(v.boolean()),
  logger: v.optional(v.custom<ErgateLogger>(isLogger)),
  detached: v.optional(v.boolean()),
  failOnLeftovers: v.optional(v.boolean(), false),
});

export type ParsedRunScriptOptions = v.InferOutput<typeof RunScriptOptionsSchema>;

/** What each option must be, in words, for the TypeError message. */
const EXPECTED: Record<string, string> = {
  timeoutMs: TIMEOUT_EXPECTED,
  env: 'an object whose names and values are strings without NUL bytes',
  cwd: 'a non-empty string (a folder path) without NUL bytes',
  args: 'an array of strings without NUL bytes',
  allowedExitCodes: 'an array of integers from 0 to 255',
  memoryLimitMb: `a positive integer (MiB) of at most ${MAX_LIMIT}`,
  cpuTimeLimitS: `a positive integer (seconds) of at most ${MAX_LIMIT}`,
  python: 'a non-empty string (an interpreter path or command) without NUL bytes',
  maxOutputBytes: 'a positive integer (bytes)',
  signal: 'an AbortSignal',
  onOutput: 'a function (stream, chunk) => void',
  killGraceMs: `a non-negative number of milliseconds of at most ${MAX_TIMER_MS}`,
  inheritEnv: 'a boolean',
  envAllowList: 'an array of strings without NUL bytes',
  startMethod: "'spawn' or 'forkserver'",
  preload: 'an array of module names',
  module: 'a dotted module name such as pytest or pkg.tool',
  recordImports: 'a boolean',
  logger: 'a pino-compatible logger with debug, info, warn and error methods',
  detached: 'a boolean',
  failOnLeftovers: 'a boolean',
};

/** @throws TypeError naming the first bad option. */
export function parseRunScriptOptions(options: unknown, optionName = 'options'): ParsedRunScriptOptions {
  if (options === undefined) options = {};
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new TypeError(`${optionName} must be an object (got ${describeValue(options)})`);
  }
  const parsed = v.safeParse(RunScriptOptionsSchema, options);
  if (parsed.success) return parsed.output;
  const issue = parsed.issues[0];
  const pathKey = (issue.path?.[0]?.key ?? '') as PropertyKey;
  const key = String(pathKey);
  if (issue.type === 'strict_object' && issue.path?.length === 1) {
    const hint = unknownKeyHint(RunScriptOptionsSchema, issue);
    throw new TypeError(
      `${optionName}.${key} is not a known option${hint || ` (expected one of ${Object.keys(EXPECTED).join(', ')})`}`,
    );
  }
  const value = (options as Record<string, unknown>)[key];
  const nested = issue.path !== undefined && issue.path.length > 1;
  const where = nested ? `${optionName}.${issue.path.map((p) => String(p.key)).join('.')}` : '';
  const detail = nested ? `got ${describeValue(issue.input)} at ${where}` : `got ${describeValue(value)}`;
  throw new TypeError(`${optionName}.${key} must be ${EXPECTED[key] ?? 'valid'} (${detail})`);
}

/**
 * A script path as given: a string, or the path's bytes as a Buffer (as Node's fs takes them),
 * for a file name that is not valid UTF-8.
 */
export type ScriptPath = string | Buffer;

/**
 * The path as ergate carries it (a Buffer's undecodable bytes in the surrogateescape form,
 * src/internal/byte-names.ts); @throws TypeError unless it is non-empty and without NUL bytes.
 */
export function checkScriptPath(value: unknown, name = 'scriptPath'): string {
  const text = Buffer.isBuffer(value) ? pathFromBytes(value) : value;
  if (typeof text !== 'string' || text === '' || text.includes('\0')) {
    throw new TypeError(
      `${name} must be a non-empty string without NUL bytes, or a Buffer of one (got ${describeValue(value)})`,
    );
  }
  return text;
}
