// AsyncParallelRunner as a task group: input order, concurrency bound, fail-fast with the
// failure as the abort's cause, never-started tasks, tasks that ignore their signal,
// counting, callbacks and option errors. Synchronised on promises, never on sleeps.
/* eslint-disable @typescript-eslint/require-await -- tasks and jobs are async functions by contract; many here finish at once */

import { describe, expect, it } from 'vitest';
import { setImmediate as tick } from 'node:timers/promises';
import { AsyncExecutionResult, AsyncParallelRunner, currentSignal, type AsyncTaskResult } from '../../src/index.ts';
import { createDeferred } from './deferred.ts';

describe('AsyncParallelRunner', () => {
  it('keeps input order in results whatever the finishing order', async () => {
    const gates = Array.from({ length: 5 }, () => createDeferred());
    const tasks = gates.map(
      (gate, i) =>
        [
          `t${i}`,
          async (n: number) => {
            await gate.promise;
            return n * 10;
          },
          [i],
        ] as const,
    );
    const run = new AsyncParallelRunner().run(tasks);
    for (const i of [3, 1, 4, 0, 2]) {
      gates[i].resolve();
      await tick();
    }
    const result = await run;
    expect(result).toBeInstanceOf(AsyncExecutionResult);
    expect(result.results.map((r) => r.name)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    expect(result.results.map((r) => r.value)).toEqual([0, 10, 20, 30, 40]);
    expect(result.success).toBe(true);
  });

  it('accepts object tasks and counts passed, failed and thrown non-errors', async () => {
    const result = await new AsyncParallelRunner().run([
      { name: 'ok', fn: async (a: number, b: number) => a + b, args: [2, 3] },
      {
        name: 'bad',
        fn: async () => {
          throw new RangeError('out of range');
        },
      },
      {
        name: 'sync-throw',
        fn: () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a task may throw a non-Error
          throw 'plain string';
        },
      },
    ]);
    expect(result.total).toBe(3);
    expect(result.passed).toBe(1);
    expect(result.failed).toBe(2);
    expect(result.cancelled).toBe(0);
    expect(result.success).toBe(false);
    expect(result.results[0]).toMatchObject({
      name: 'ok',
      success: true,
      value: 5,
      error: null,
      errorType: null,
      status: 'passed',
    });
    expect(result.results[1]).toMatchObject({
      name: 'bad',
      success: false,
      value: null,
      error: 'out of range',
      errorType: 'RangeError',
      status: 'failed',
    });
    expect(result.results[2]).toMatchObject({ success: false, error: 'plain string', status: 'failed' });
    const json = JSON.parse(JSON.stringify(result)) as { results: unknown[]; batchId: unknown };
    expect(json).toMatchObject({ total: 3, passed: 1, failed: 2, cancelled: 0, success: false });
    expect(json.results).toHaveLength(3);
    expect(typeof json.batchId).toBe('string');
  });

  it('never runs more than maxConcurrency tasks at once', async () => {
    let active = 0;
    let peak = 0;
    const task = async (): Promise<void> => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      await tick();
      active--;
    };
    const result = await new AsyncParallelRunner({ maxConcurrency: 3 }).run(
      Array.from({ length: 50 }, (_, i) => [`t${i}`, task] as const),
    );
    expect(result.passed).toBe(50);
    expect(peak).toBe(3);
  });

  it('fail-fast aborts running siblings with the failure as cause, and never starts the rest', async () => {
    const failure = new Error('first failure');
    const siblingStarted = createDeferred<AbortSignal>();
    const failNow = createDeferred();
    const started: string[] = [];
    const tasks = [
      [
        'sibling',
        async () => {
          started.push('sibling');
          const signal = currentSignal()!;
          siblingStarted.resolve(signal);
          await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
        },
      ],
      [
        'failer',
        async () => {
          started.push('failer');
          await failNow.promise;
          throw failure;
        },
      ],
      [
        'later1',
        async () => {
          started.push('later1');
        },
      ],
      [
        'later2',
        async () => {
          started.push('later2');
        },
      ],
    ] as const;
    const run = new AsyncParallelRunner({ maxConcurrency: 2, failFast: true }).run(tasks);
    const siblingSignal = await siblingStarted.promise;
    failNow.resolve();
    const result = await run;
    expect(siblingSignal.aborted).toBe(true);
    expect((siblingSignal.reason as Error).cause).toBe(failure);
    expect(started.sort()).toEqual(['failer', 'sibling']);
    expect(result.results.map((r) => r.status)).toEqual(['cancelled', 'failed', 'cancelled', 'cancelled']);
    expect(result.results[2].error).toBe("cancelled: fail-fast after 'failer' failed (before it started)");
    expect(result.passed + result.failed + result.cancelled).toBe(result.total);
    expect(result.failed).toBe(1);
    expect(result.cancelled).toBe(3);
  });

  it('records a task that ignores its signal as cancelled at once, without waiting for it', async () => {
    const stubborn = createDeferred<string>();
    const stubbornStarted = createDeferred();
    let stubbornFinished = false;
    const run = new AsyncParallelRunner({ failFast: true }).run([
      [
        'stubborn',
        async () => {
          stubbornStarted.resolve();
          const v = await stubborn.promise;
          stubbornFinished = true;
          return v;
        },
      ],
      [
        'failer',
        async () => {
          await stubbornStarted.promise;
          throw new Error('boom');
        },
      ],
    ]);
    const result = await run;
    expect(stubbornFinished).toBe(false);
    expect(result.results[0]).toMatchObject({ status: 'cancelled', success: false, errorType: 'AbortError' });
    // It settles later: the recorded result does not change.
    stubborn.resolve('late value');
    await tick();
    expect(stubbornFinished).toBe(true);
    expect(result.results[0].status).toBe('cancelled');
    expect(result.results[0].value).toBeNull();
    expect(result.passed).toBe(0);
  });

  it('without failFast, a failure does not disturb its siblings', async () => {
    const result = await new AsyncParallelRunner({ maxConcurrency: 2 }).run([
      [
        'a',
        async () => {
          throw new Error('a failed');
        },
      ],
      ['b', async () => 'b'],
      ['c', async () => 'c'],
    ]);
    expect(result.results.map((r) => r.status)).toEqual(['failed', 'passed', 'passed']);
  });

  it('an aborted run signal cancels running tasks and skips the rest', async () => {
    const controller = new AbortController();
    const started = createDeferred();
    const run = new AsyncParallelRunner({ maxConcurrency: 1 }).run(
      [
        [
          'runs',
          async () => {
            started.resolve();
            await new Promise(() => {});
          },
        ],
        ['never', async () => 'never'],
      ],
      { signal: controller.signal },
    );
    await started.promise;
    controller.abort();
    const result = await run;
    expect(result.cancelled).toBe(2);
    expect(result.success).toBe(false);
    const already = await new AsyncParallelRunner().run([['x', async () => 1]], { signal: controller.signal });
    expect(already.results[0].status).toBe('cancelled');
  });

  it('calls onTaskComplete once per task, and a throwing callback changes nothing', async () => {
    const seen: AsyncTaskResult[] = [];
    const runner = new AsyncParallelRunner({
      onTaskComplete: (r) => {
        seen.push(r);
        throw new Error('callback bug');
      },
    });
    const result = await runner.run([
      ['a', async () => 1],
      [
        'b',
        async () => {
          throw new Error('no');
        },
      ],
      ['c', async () => 3],
    ]);
    expect(seen.map((r) => r.name).sort()).toEqual(['a', 'b', 'c']);
    expect(result.passed).toBe(2);
    expect(result.failed).toBe(1);
  });

  it('handles an empty task list and many synchronous failures without deep recursion', async () => {
    expect((await new AsyncParallelRunner().run([])).total).toBe(0);
    const tasks = Array.from(
      { length: 20_000 },
      (_, i) =>
        [
          `t${i}`,
          () => {
            throw new Error('sync');
          },
        ] as const,
    );
    const result = await new AsyncParallelRunner().run(tasks);
    expect(result.failed).toBe(20_000);
  });

  it('close() cancels the runs in progress', async () => {
    const runner = new AsyncParallelRunner();
    const started = createDeferred();
    const run = runner.run([
      [
        'forever',
        async () => {
          started.resolve();
          await new Promise(() => {});
        },
      ],
    ]);
    await started.promise;
    await runner.close();
    expect((await run).results[0].error).toContain('closed');
  });

  it('refuses bad options with a TypeError naming the option', async () => {
    expect(() => new AsyncParallelRunner({ maxConcurrency: 0 })).toThrow(
      /maxConcurrency: expected a positive integer, got 0/,
    );
    expect(() => new AsyncParallelRunner({ maxConcurrency: 2.5 })).toThrow(TypeError);
    expect(() => new AsyncParallelRunner({ failFast: 'yes' as never })).toThrow(/failFast: expected a boolean/);
    expect(() => new AsyncParallelRunner({ onTaskComplete: 1 as never })).toThrow(
      /onTaskComplete: expected a function/,
    );
    const runner = new AsyncParallelRunner();
    await expect(runner.run('nope' as never)).rejects.toThrow(TypeError);
    await expect(runner.run([['a', 'not a fn' as never]])).rejects.toThrow(/tasks\[0\]\.fn: expected a function/);
    await expect(runner.run([['a', async () => 1, 'x' as never]])).rejects.toThrow(
      /tasks\[0\]\.args: expected an array/,
    );
    await expect(runner.run([], { signal: 'x' as never })).rejects.toThrow(/signal: expected an AbortSignal/);
  });
});
