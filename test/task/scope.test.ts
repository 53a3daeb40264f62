// currentSignal() and the AbortController tree: scopes follow awaits, nest, and an
// abort flows from a parent task down to tasks of runners started inside it.

import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { AsyncParallelRunner, currentSignal } from '../../src/index.ts';
import { createDeferred } from './deferred.ts';

describe('currentSignal', () => {
  it('is undefined outside every task', () => {
    expect(currentSignal()).toBeUndefined();
  });

  it('is the task own signal inside a task, across awaits and timers', async () => {
    const seen: Array<AbortSignal | undefined> = [];
    const task = async (): Promise<void> => {
      seen.push(currentSignal());
      await delay(1);
      seen.push(currentSignal());
      await new Promise<void>((resolve) =>
        setImmediate(() => {
          seen.push(currentSignal());
          resolve();
        }),
      );
    };
    const result = await new AsyncParallelRunner().run([
      ['a', task],
      ['b', task],
    ]);
    expect(result.passed).toBe(2);
    expect(seen).toHaveLength(6);
    for (const signal of seen) expect(signal).toBeInstanceOf(AbortSignal);
    // Each task has its own signal, the same one throughout the task.
    const distinct = new Set(seen);
    expect(distinct.size).toBe(2);
    expect(currentSignal()).toBeUndefined();
  });

  it('aborting a parent task aborts the whole subtree, grandchildren included', async () => {
    const parentRunner = new AsyncParallelRunner();
    const outer = new AbortController();
    const grandchildStarted = createDeferred<AbortSignal>();
    let inner: unknown;
    const run = parentRunner.run(
      [
        [
          'parent',
          async () => {
            inner = await new AsyncParallelRunner().run([
              [
                'child',
                async () => {
                  await new AsyncParallelRunner().run([
                    [
                      'grandchild',
                      async () => {
                        const signal = currentSignal()!;
                        grandchildStarted.resolve(signal);
                        await new Promise((_, reject) =>
                          signal.addEventListener('abort', () => reject(signal.reason as Error)),
                        );
                      },
                    ],
                  ]);
                },
              ],
            ]);
          },
        ],
      ],
      { signal: outer.signal },
    );
    const grandchildSignal = await grandchildStarted.promise;
    expect(grandchildSignal.aborted).toBe(false);
    const reason = new Error('stop everything');
    outer.abort(reason);
    expect(grandchildSignal.aborted).toBe(true);
    expect(grandchildSignal.reason).toBe(reason);
    const result = await run;
    expect(result.cancelled).toBe(1);
    expect(result.results[0].error).toContain('stop everything');
    // The parent was recorded at once; its inner run still finishes, all cancelled.
    await expect.poll(() => inner).toBeDefined();
  });
});
