// Bad input, property-based (fast-check): over the options of every public call, wrong
// types, NaN, ±Infinity, negatives, zero where a positive is needed, fractions where an
// integer is needed, and unknown keys give a TypeError whose message names the option: a
// synchronous throw for constructors and schedule()/listJobs(), a rejection for async calls,
// and never a crash or a hang. Huge but finite values are refused by name or run normally.
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AsyncParallelRunner,
  AsyncScheduler,
  BatchRunner,
  ParallelRunner,
  closeFunctionPool,
  runFunction,
  runScript,
} from '../../src/index.ts';
import { PYTHON, fixture, settleWithin } from './helpers.ts';

type Kind =
  | 'posInt'
  | 'nonNegInt'
  | 'posNum'
  | 'timeout'
  | 'nonNegNum'
  | 'finite'
  | 'bool'
  | 'fn'
  | 'string'
  | 'nonEmptyString'
  | 'stringArray'
  | 'array'
  | 'record'
  | 'signal'
  | 'exitCodes'
  | 'startMethod'
  | 'logger'
  | 'emitter'
  | 'configs';

const anObject = fc.object({ maxDepth: 1 });
const nonNumber = fc.oneof(
  fc.string(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt(),
  anObject,
  fc.array(fc.integer()),
  fc.constant(Symbol('s')),
);
const nonFinite = fc.constantFrom(Number.NaN, Infinity, -Infinity);
const negative = fc.oneof(fc.integer({ max: -1 }), fc.double({ max: -Number.MIN_VALUE, noNaN: true }));
const fraction = fc.double({ min: 0.001, max: 1e6, noNaN: true }).filter((n) => !Number.isInteger(n));
const nonString = fc.oneof(
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  anObject,
  fc.bigInt(),
  fc.array(fc.integer(), { minLength: 1 }),
);
const nonArray = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), fc.constant(Number.NaN));

const BAD: Record<Kind, fc.Arbitrary<unknown>> = {
  posInt: fc.oneof(nonNumber, nonFinite, negative, fc.constant(0), fraction),
  nonNegInt: fc.oneof(nonNumber, nonFinite, negative, fraction),
  posNum: fc.oneof(nonNumber, nonFinite, negative, fc.constant(0)),
  // Infinity is a valid timeout (none); NaN and -Infinity are not.
  timeout: fc.oneof(nonNumber, fc.constantFrom(Number.NaN, -Infinity), negative, fc.constant(0)),
  nonNegNum: fc.oneof(nonNumber, nonFinite, negative),
  finite: fc.oneof(nonNumber, nonFinite),
  bool: fc.oneof(fc.string(), fc.integer(), fc.constant(null), anObject, fc.constant(Number.NaN)),
  fn: fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), anObject),
  string: nonString,
  nonEmptyString: fc.oneof(nonString, fc.constant('')),
  stringArray: fc.oneof(
    nonArray,
    fc.array(fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), anObject), { minLength: 1 }),
  ),
  array: nonArray,
  record: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.dictionary(fc.string(), fc.oneof(fc.integer(), fc.constant(null)), { minKeys: 1 }),
  ),
  signal: fc.oneof(fc.string(), fc.integer(), fc.constant(null), anObject, fc.constant(new AbortController())),
  exitCodes: fc.oneof(
    nonArray,
    fc.array(fc.oneof(fc.integer({ max: -1 }), fc.integer({ min: 256 }), fraction, fc.string()), { minLength: 1 }),
  ),
  startMethod: fc.oneof(
    fc.string().filter((s) => s !== 'spawn' && s !== 'forkserver'),
    fc.integer(),
    fc.constant(null),
  ),
  logger: fc.oneof(fc.string(), fc.integer(), anObject, fc.constant({ debug() {}, info() {} })),
  emitter: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.boolean(),
    anObject.filter((o) => typeof o.emit !== 'function'),
  ),
  configs: fc.oneof(
    fc.string(),
    fc.integer(),
    fc.constant(null),
    fc.record({ 'a.py': fc.record({ timeoutMs: BAD_LATER('timeout') }) }),
  ),
};
// configs nests a bad timeout; defined lazily because BAD refers to itself.
function BAD_LATER(kind: Kind): fc.Arbitrary<unknown> {
  return fc.constant(null).chain(() => BAD[kind]);
}

const RUN_SCRIPT: Record<string, Kind> = {
  timeoutMs: 'timeout',
  env: 'record',
  cwd: 'nonEmptyString',
  args: 'stringArray',
  allowedExitCodes: 'exitCodes',
  memoryLimitMb: 'posInt',
  cpuTimeLimitS: 'posInt',
  python: 'nonEmptyString',
  maxOutputBytes: 'posInt',
  signal: 'signal',
  onOutput: 'fn',
  killGraceMs: 'nonNegNum',
  inheritEnv: 'bool',
  envAllowList: 'stringArray',
  startMethod: 'startMethod',
  preload: 'stringArray',
  logger: 'logger',
};
const RUN_FUNCTION: Record<string, Kind> = {
  args: 'array',
  timeoutMs: 'posNum',
  memoryLimitMb: 'posInt',
  signal: 'signal',
  name: 'string',
};
const PARALLEL_RUNNER: Record<string, Kind> = {
  maxWorkers: 'posInt',
  onProgress: 'fn',
  defaultTimeoutMs: 'timeout',
  failFast: 'bool',
  memoryLimitMb: 'posNum',
  cpuTimeLimitS: 'posNum',
  python: 'nonEmptyString',
  retries: 'nonNegInt',
  eventBus: 'emitter',
  inheritEnv: 'bool',
  envAllowList: 'stringArray',
};
const RUN_SCRIPTS: Record<string, Kind> = {
  timeoutMs: 'timeout',
  cwd: 'string',
  env: 'record',
  configs: 'configs',
  signal: 'signal',
  retries: 'nonNegInt',
  inheritEnv: 'bool',
  envAllowList: 'stringArray',
};
const RUN_BATCHES: Record<string, Kind> = {
  timeoutMs: 'timeout',
  cwd: 'string',
  env: 'record',
  configs: 'configs',
  stopOnBatchFailure: 'bool',
  signal: 'signal',
};
const ASYNC_RUNNER: Record<string, Kind> = { maxConcurrency: 'posInt', failFast: 'bool', onTaskComplete: 'fn' };
const ASYNC_RUN: Record<string, Kind> = { signal: 'signal' };
const SCHEDULER: Record<string, Kind> = {
  maxConcurrency: 'posInt',
  eventBus: 'emitter',
  agingMs: 'posNum',
  signal: 'signal',
};
const SCHEDULE: Record<string, Kind> = {
  name: 'string',
  args: 'array',
  priority: 'finite',
  maxRuns: 'posInt',
  timeoutMs: 'posNum',
  retryDelayMs: 'nonNegNum',
  delayMs: 'nonNegNum',
};

/** One option of the table set to one bad value of its kind. */
function badOption(table: Record<string, Kind>): fc.Arbitrary<[string, unknown]> {
  return fc
    .constantFrom(...Object.keys(table))
    .chain((key) => BAD[table[key]].map((value): [string, unknown] => [key, value]));
}

/** A key none of the tables knows, with any value. */
function unknownKey(table: Record<string, Kind>): fc.Arbitrary<[string, unknown]> {
  const reserved = new Set([...Object.keys(table), '__proto__', 'constructor', 'prototype']);
  return fc.tuple(
    fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,15}$/).filter((k) => !reserved.has(k)),
    fc.anything(),
  );
}

function expectNamed(error: unknown, key: string): void {
  expect(error).toBeInstanceOf(TypeError);
  expect((error as TypeError).message).toContain(key);
}

function expectSyncTypeError(call: () => unknown, key: string): void {
  let thrown: unknown = null;
  try {
    call();
  } catch (error) {
    thrown = error;
  }
  expectNamed(thrown, key);
}

/** The call must return a promise (no synchronous throw) that rejects with a TypeError in time. */
async function expectAsyncTypeError(call: () => Promise<unknown>, key: string): Promise<void> {
  const settled = await settleWithin(
    call().then(
      () => null,
      (error: unknown) => error,
    ),
    10_000,
    `call with bad ${key}`,
  );
  expectNamed(settled, key);
}

const RUNS = { numRuns: 150 };
const hello = fixture('hello.py');
const noop = (): Promise<number> => Promise.resolve(1);

describe('bad options are refused by name', () => {
  const runner = new ParallelRunner({ maxWorkers: 1, python: PYTHON });
  const batch = new BatchRunner({ maxWorkers: 1, python: PYTHON });
  const scheduler = new AsyncScheduler();
  afterAll(async () => {
    await runner.close();
    await batch.close();
    await scheduler.close();
    await closeFunctionPool();
  });

  const cases: Array<[string, Record<string, Kind>, 'sync' | 'async', (options: Record<string, unknown>) => unknown]> =
    [
      ['runScript', RUN_SCRIPT, 'async', (o) => runScript(hello, o)],
      ['runFunction', RUN_FUNCTION, 'async', (o) => runFunction(() => 1, o)],
      ['new ParallelRunner', PARALLEL_RUNNER, 'sync', (o) => new ParallelRunner(o)],
      ['runner.runScripts', RUN_SCRIPTS, 'async', (o) => runner.runScripts([hello], o)],
      ['new BatchRunner', PARALLEL_RUNNER, 'sync', (o) => new BatchRunner(o)],
      ['batchRunner.runBatches', RUN_BATCHES, 'async', (o) => batch.runBatches([[hello]], o)],
      ['new AsyncParallelRunner', ASYNC_RUNNER, 'sync', (o) => new AsyncParallelRunner(o)],
      ['asyncRunner.run', ASYNC_RUN, 'async', (o) => new AsyncParallelRunner().run([['t', noop]], o)],
      ['new AsyncScheduler', SCHEDULER, 'sync', (o) => new AsyncScheduler(o)],
      ['scheduler.schedule', SCHEDULE, 'sync', (o) => scheduler.schedule(noop, o)],
    ];

  for (const [name, table, mode, call] of cases) {
    const check = async ([key, value]: [string, unknown]): Promise<void> => {
      const options = { [key]: value };
      if (mode === 'sync') expectSyncTypeError(() => call(options), key);
      else await expectAsyncTypeError(() => call(options) as Promise<unknown>, key);
    };
    it(`${name}: a wrong type, NaN, Infinity, a negative or a fraction names the option`, async () => {
      await fc.assert(fc.asyncProperty(badOption(table), check), RUNS);
    });
    it(`${name}: an unknown key names the key`, async () => {
      await fc.assert(fc.asyncProperty(unknownKey(table), check), { numRuns: 60 });
    });
  }

  it('scheduler.schedule refuses nothing it should accept (the hot path agrees with the schema)', () => {
    const good = fc.record(
      {
        name: fc.string(),
        args: fc.array(fc.anything()),
        priority: fc.double({ noNaN: true, noDefaultInfinity: true }),
        maxRuns: fc.integer({ min: 1, max: 5 }),
        timeoutMs: fc.integer({ min: 1, max: 1e6 }),
        retryDelayMs: fc.nat(),
        delayMs: fc.nat(),
      },
      { requiredKeys: [] },
    );
    const local = new AsyncScheduler();
    fc.assert(
      fc.property(good, (options) => {
        expect(typeof local.schedule(noop, options)).toBe('string');
      }),
      RUNS,
    );
    void local.close();
  });

  it('scheduler.listJobs: an unknown status names the status', () => {
    const statuses = ['pending', 'running', 'completed', 'failed', 'cancelled'];
    const bad = fc.oneof(
      fc.string().filter((s) => !statuses.includes(s)),
      fc.integer(),
      fc.constant(null),
      anObject,
    );
    fc.assert(
      fc.property(bad, (status) => expectSyncTypeError(() => scheduler.listJobs(status as never), 'status')),
      RUNS,
    );
  });

  it('non-object options are refused by every call', async () => {
    const notObject = fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(Number.NaN));
    await fc.assert(
      fc.asyncProperty(notObject, async (value) => {
        for (const [, , mode, call] of cases) {
          if (mode === 'sync') expectSyncTypeError(() => call(value as never), 'options');
          else await expectAsyncTypeError(() => call(value as never) as Promise<unknown>, 'options');
        }
      }),
      { numRuns: 40 },
    );
  });
});

describe('huge but finite values are refused by name, or run normally', () => {
  it('runScript: timeouts, limits and caps', async () => {
    const keys = ['timeoutMs', 'maxOutputBytes', 'memoryLimitMb', 'cpuTimeLimitS', 'killGraceMs'];
    const huge = fc.oneof(
      fc.constantFrom(2 ** 31, 2 ** 53, 1e21, 1e300, Number.MAX_VALUE),
      fc.integer({ min: 2 ** 31, max: 2 ** 52 }),
    );
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...keys), huge, async (key, value) => {
        const outcome = await settleWithin(
          runScript(hello, { python: PYTHON, [key]: value }).catch((e: unknown) => e),
          30_000,
          key,
        );
        if (outcome instanceof Error) expectNamed(outcome, key);
        else expect(outcome).toMatchObject({ status: 'passed', stdout: expect.stringContaining('hello') as unknown });
      }),
      { numRuns: 25 },
    );
  });

  it('constructors and schedule()', () => {
    const huge = fc.constantFrom(2 ** 31, 2 ** 53, 1e21, 1e300, Number.MAX_VALUE);
    const sched = new AsyncScheduler();
    const calls: Array<[string, (n: number) => unknown]> = [
      ['maxWorkers', (n) => new ParallelRunner({ maxWorkers: n })],
      ['defaultTimeoutMs', (n) => new ParallelRunner({ defaultTimeoutMs: n })],
      ['maxConcurrency', (n) => new AsyncParallelRunner({ maxConcurrency: n })],
      ['maxConcurrency', (n) => new AsyncScheduler({ maxConcurrency: n })],
      ['priority', (n) => sched.schedule(noop, { priority: n })],
    ];
    fc.assert(
      fc.property(fc.constantFrom(...calls), huge, ([key, call], value) => {
        try {
          call(value);
        } catch (error) {
          expectNamed(error, key);
        }
      }),
      { numRuns: 50 },
    );
    void sched.close();
  });
});
