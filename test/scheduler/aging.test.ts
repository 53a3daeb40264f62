// Priority aging: under a steady stream of high-priority jobs, a low-priority job waits
// for the whole stream without agingMs (starvation) and runs early with it.

import { describe, expect, it } from 'vitest';
import { setTimeout as delay } from 'node:timers/promises';
import { AsyncScheduler } from '../../src/index.ts';

const STREAM = 150;

/** Returns how many high-priority jobs ran before the low-priority one. */
async function runLowUnderLoad(agingMs: number | undefined): Promise<number> {
  const scheduler = new AsyncScheduler({ maxConcurrency: 1, agingMs });
  const order: string[] = [];
  let highScheduled = 0;
  // Each high job takes >= 2 ms (real work time, not synchronisation) and schedules the
  // next, so the queue always holds a fresh high-priority job.
  const high = async (): Promise<void> => {
    order.push('high');
    await delay(2);
    if (++highScheduled < STREAM) scheduler.schedule(high, { priority: 0 });
  };
  scheduler.schedule(high, { priority: 0 });
  scheduler.schedule(
    () => {
      order.push('low');
      return Promise.resolve();
    },
    { priority: 10 },
  );
  await scheduler.runAll();
  return order.indexOf('low');
}

describe('priority aging', () => {
  it('without agingMs, a low-priority job starves until the high-priority stream ends', async () => {
    expect(await runLowUnderLoad(undefined)).toBe(STREAM);
  });

  it('with agingMs, it runs once it has waited priority-difference × agingMs', async () => {
    // 10 steps of 5 ms: after >= 50 ms, i.e. at most ~26 high jobs of >= 2 ms each.
    const position = await runLowUnderLoad(5);
    expect(position).toBeGreaterThan(0);
    expect(position).toBeLessThan(STREAM / 2);
  });
});
