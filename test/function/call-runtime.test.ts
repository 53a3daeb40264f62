// One contract over the three function runtimes (shared thread pool, fresh thread, process
// host): the same requests end the same way whichever one runs them.
import { afterAll, describe, expect, it } from 'vitest';
import { RUNTIMES } from '../../src/function/call-runtime.ts';
import { CallStop } from '../../src/function/call-stop.ts';
import { processHostPids } from '../../src/function/process-pool.ts';
import { defaultLogger } from '../../src/internal/logger.ts';
import type { ValidCall } from '../../src/function/validate-options.ts';
import { isAlive, waitUntil } from './helpers.ts';

function source(fn: (...args: never[]) => unknown, args: unknown[] = []): ValidCall {
  return {
    target: { kind: 'source', source: Function.prototype.toString.call(fn) },
    args,
    timeoutMs: 60_000,
    memoryLimitMb: 256,
    signals: [],
    name: 'test',
    fresh: false,
    logger: defaultLogger,
  };
}

/** A stop whose clock start is observed (no timer is armed). */
class WatchedStop extends CallStop {
  constructor(readonly onStart = (): void => undefined) {
    super();
  }

  override startClock(): void {
    this.onStart();
  }
}

const forever = (): Promise<never> => new Promise<never>(() => undefined);

afterAll(async () => {
  await Promise.all(RUNTIMES.map((runtime) => runtime.close()));
});

describe.each(RUNTIMES)('the $name runtime', (runtime) => {
  it('returns what the function returned, having started its clock', async () => {
    let starts = 0;
    const ending = await runtime.run(
      source((a: number, b: number) => a + b, [2, 3]),
      new WatchedStop(() => starts++),
    );
    expect(ending).toEqual({ kind: 'outcome', outcome: { kind: 'returned', value: 5 } });
    expect(starts).toBeGreaterThanOrEqual(1);
  });

  it('reports a throw with its type and message', async () => {
    const ending = await runtime.run(
      source(() => {
        throw new RangeError('too far');
      }),
      new CallStop(),
    );
    expect(ending).toMatchObject({
      kind: 'outcome',
      outcome: { kind: 'threw', errorType: 'RangeError', message: 'too far' },
    });
  });

  it('ends a running call as aborted when it is stopped', async () => {
    const stop: CallStop = new WatchedStop(() => setImmediate(() => stop.stop()));
    const ending = runtime.run(source(forever), stop);
    await expect(ending).resolves.toEqual({ kind: 'aborted' });
  });

  it('ends a call in flight as closed on close(), leaving no host process behind', async () => {
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const ending = runtime.run(source(forever), new WatchedStop(() => started()));
    await running;
    const pids = processHostPids();
    await runtime.close();
    await expect(ending).resolves.toEqual({ kind: 'closed' });
    await waitUntil(() => pids.every((pid) => !isAlive(pid)), 30_000, 'the host processes to be reaped');
    expect(processHostPids()).toEqual([]);
  });
});
