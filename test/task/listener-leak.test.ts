// Listeners are removed when tasks settle: however many tasks and runs go by under one
// long-lived parent signal, the parent's 'abort' listener count stays flat.

import { describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { AsyncParallelRunner, currentSignal } from '../../src/index.ts';

describe('abort listeners', () => {
  it('stay flat on a parent signal over 10,000 tasks in one run and over 1,000 runs', async () => {
    const parent = new AbortController();
    const before = getEventListeners(parent.signal, 'abort').length;
    let peak = 0;
    const runner = new AsyncParallelRunner({ maxConcurrency: 64 });
    const task = (): Promise<void> => {
      currentSignal(); // materialise each task's own signal too
      peak = Math.max(peak, getEventListeners(parent.signal, 'abort').length);
      return Promise.resolve();
    };
    const result = await runner.run(
      Array.from({ length: 10_000 }, (_, i) => [`t${i}`, task] as const),
      { signal: parent.signal },
    );
    expect(result.passed).toBe(10_000);
    expect(peak).toBe(before + 1); // one listener for the whole run, none per task
    for (let i = 0; i < 1_000; i++) await runner.run([['one', task]], { signal: parent.signal });
    expect(getEventListeners(parent.signal, 'abort').length).toBe(before);
  });

  it('stay flat on an enclosing task signal over 10,000 nested runs', async () => {
    let after = -1;
    let before = -1;
    await new AsyncParallelRunner().run([
      [
        'parent',
        async () => {
          const signal = currentSignal()!;
          before = getEventListeners(signal, 'abort').length;
          for (let i = 0; i < 10_000; i++) await new AsyncParallelRunner().run([['child', () => Promise.resolve(i)]]);
          after = getEventListeners(signal, 'abort').length;
        },
      ],
    ]);
    expect(before).toBe(0);
    expect(after).toBe(before);
  });
});
