// Validates the options of ParallelRunner, runScripts() and BatchRunner at the boundary
// (valibot), so everything inside the runner can trust them. A bad option throws a
// TypeError naming the option and what was expected; per-script options (timeouts, env,
// args) are checked again by the script layer's parseRunScriptOptions when specs are built.
import * as v from 'valibot';
import {
  expected,
  nonNegativeInt,
  positiveInt,
  timeoutMs as positiveTimeout,
  positiveNumber,
} from '../internal/option-schemas.ts';
import { isLogger, LOGGER_EXPECTED, type ErgateLogger } from '../internal/logger.ts';
import { orderSchema, resourceRunnerEntries, timeoutSettingSchema } from '../resources/resource-options.ts';
import { MODULE_NAME } from '../script/validate-options.ts';
import { pathFromBytes } from '../internal/byte-names.ts';

const stringRecord = v.record(v.string(), v.string(expected('a string value')), expected('an object of strings'));
const emitterLike = v.custom<{ emit: (type: string, event: unknown) => void }>(
  (bus) => typeof bus === 'object' && bus !== null && typeof (bus as { emit?: unknown }).emit === 'function',
  expected('a mitt emitter (an object with an emit function)'),
);
const stringList = v.array(v.string(expected('a string')), expected('an array of strings'));
const abortSignal = v.custom<AbortSignal>((s) => s instanceof AbortSignal, expected('an AbortSignal'));
const retainOutput = v.picklist(['all', 'failed', 'none'], expected("'all', 'failed' or 'none'"));
const startMethod = v.picklist(['spawn', 'forkserver'], expected("'spawn' or 'forkserver'"));
const moduleName = v.pipe(
  v.string(expected('a module name')),
  v.regex(MODULE_NAME, expected('a module name such as pytest or mypkg.tool')),
);
const preloadList = v.array(
  v.pipe(
    v.string(expected('a module name')),
    v.regex(MODULE_NAME, expected('a module name such as numpy or mypkg.sub')),
  ),
  expected('an array of module names'),
);

export const scriptConfigSchema = v.strictObject(
  {
    timeoutMs: v.optional(positiveTimeout),
    allowedExitCodes: v.optional(v.array(v.pipe(v.number(), v.integer()), expected('an array of integers'))),
    args: v.optional(v.array(v.string(expected('a string')), expected('an array of strings'))),
    env: v.optional(stringRecord),
    memoryLimitMb: v.optional(positiveNumber),
    cpuTimeLimitS: v.optional(positiveNumber),
    retries: v.optional(nonNegativeInt),
  },
  expected('an object'),
);

export const parallelRunnerOptionsSchema = v.strictObject(
  {
    maxWorkers: v.optional(positiveInt),
    onProgress: v.optional(v.function(expected('a function'))),
    defaultTimeoutMs: v.optional(positiveTimeout),
    failFast: v.optional(v.boolean(expected('a boolean'))),
    memoryLimitMb: v.optional(positiveNumber),
    cpuTimeLimitS: v.optional(positiveNumber),
    python: v.optional(v.pipe(v.string(expected('a string')), v.minLength(1, expected('a non-empty string')))),
    retries: v.optional(nonNegativeInt),
    eventBus: v.optional(emitterLike),
    inheritEnv: v.optional(v.boolean(expected('a boolean'))),
    envAllowList: v.optional(stringList),
    startMethod: v.optional(startMethod),
    preload: v.optional(preloadList),
    retainOutput: v.optional(retainOutput),
    // Checked by RedisBackend, which words its own TypeErrors (ParallelRunner options.backend…).
    backend: v.optional(v.unknown()),
    detached: v.optional(v.boolean(expected('a boolean'))),
    logger: v.optional(v.custom<ErgateLogger>(isLogger, expected(LOGGER_EXPECTED))),
    failOnLeftovers: v.optional(v.boolean(expected('a boolean'))),
    ...resourceRunnerEntries,
  },
  expected('an object'),
);

export const runScriptsOptionsSchema = v.strictObject(
  {
    timeoutMs: v.optional(timeoutSettingSchema),
    order: v.optional(orderSchema),
    cwd: v.optional(v.string(expected('a string'))),
    env: v.optional(stringRecord),
    configs: v.optional(v.record(v.string(), scriptConfigSchema, expected('an object keyed by script name or path'))),
    signal: v.optional(abortSignal),
    retries: v.optional(nonNegativeInt),
    inheritEnv: v.optional(v.boolean(expected('a boolean'))),
    envAllowList: v.optional(stringList),
    startMethod: v.optional(startMethod),
    preload: v.optional(preloadList),
    module: v.optional(moduleName),
    recordImports: v.optional(v.boolean(expected('a boolean'))),
    args: v.optional(v.array(v.string(expected('a string')), expected('an array of strings'))),
    retainOutput: v.optional(retainOutput),
    detached: v.optional(v.boolean(expected('a boolean'))),
    stopStarting: v.optional(abortSignal),
    onOutput: v.optional(v.function(expected('a function'))),
  },
  expected('an object'),
);

export const batchRunnerOptionsSchema = parallelRunnerOptionsSchema;

export const runBatchesOptionsSchema = v.strictObject(
  {
    timeoutMs: v.optional(positiveTimeout),
    cwd: v.optional(v.string(expected('a string'))),
    env: v.optional(stringRecord),
    configs: v.optional(v.record(v.string(), scriptConfigSchema, expected('an object keyed by script name or path'))),
    stopOnBatchFailure: v.optional(v.boolean(expected('a boolean'))),
    signal: v.optional(abortSignal),
    startMethod: v.optional(startMethod),
    preload: v.optional(preloadList),
    detached: v.optional(v.boolean(expected('a boolean'))),
  },
  expected('an object'),
);

export const scriptListSchema = v.array(
  v.pipe(
    v.union([v.string(), v.instance(Buffer)], expected('a script path (a string, or a Buffer of its bytes)')),
    // A Buffer's undecodable bytes are carried in the surrogateescape form (byte-names.ts).
    v.transform((p) => (typeof p === 'string' ? p : pathFromBytes(p))),
    v.minLength(1, expected('a non-empty script path')),
    // No exec could carry it; refused before anything runs, not per script mid-run.
    v.check((p) => !p.includes('\0'), expected('a script path without NUL bytes')),
  ),
  expected('an array of script paths'),
);

/**
 * preload only shapes a fork server: with spawn it would be silently ignored, so it is refused.
 * @param startMethod the start method in force where preload was given
 */
export function checkPreload(preload: string[] | undefined, startMethod: string | undefined, name: string): void {
  if (preload && preload.length > 0 && startMethod !== 'forkserver') {
    throw new TypeError(
      `${name}.preload: only used with startMethod 'forkserver' (got startMethod '${startMethod ?? 'spawn'}')`,
    );
  }
}
