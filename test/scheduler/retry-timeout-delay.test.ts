// Time-based behaviour of AsyncScheduler: retries with exponential backoff, timeouts that
// abort the job's signal, and delayed jobs. Only lower bounds on elapsed time are
// asserted, so a loaded machine cannot make these fail.

import { describe, expect, it } from 'vitest';
import mittImport from 'mitt';
import { AsyncScheduler, currentSignal } from '../../src/index.ts';

// mitt's typings are CommonJS-shaped; at runtime the ESM default is the factory.
const mitt = mittImport as unknown as typeof mittImport.default;

describe('AsyncScheduler timing', () => {
  it('retries a failing job up to maxRuns with exponential backoff', async () => {
    const starts: number[] = [];
    const bus = mitt<Record<string, { delayMs: number; error: string }>>();
    const retrying: { delayMs: number; error: string }[] = [];
    bus.on('job.retrying', (p) => retrying.push(p));
    const scheduler = new AsyncScheduler({ eventBus: bus });
    const id = scheduler.schedule(
      () => {
        starts.push(performance.now());
        if (starts.length < 3) return Promise.reject(new Error(`attempt ${starts.length} failed`));
        return Promise.resolve('third time lucky');
      },
      { maxRuns: 4, retryDelayMs: 30 },
    );
    await scheduler.runAll();
    expect(scheduler.getJob(id)).toMatchObject({
      status: 'completed',
      runs: 3,
      result: 'third time lucky',
      error: null,
    });
    expect(retrying.map((p) => p.delayMs)).toEqual([30, 60]);
    expect(retrying.map((p) => p.error)).toEqual(['attempt 1 failed', 'attempt 2 failed']);
    expect(starts[1] - starts[0]).toBeGreaterThanOrEqual(29);
    expect(starts[2] - starts[1]).toBeGreaterThanOrEqual(59);
    expect(scheduler.metrics.jobsCompleted).toBe(1);
  });

  it('timeoutMs aborts the job signal and fails it with "timed out after N ms"; a timed-out run counts', async () => {
    const signals: AbortSignal[] = [];
    const scheduler = new AsyncScheduler();
    const id = scheduler.schedule(
      async () => {
        signals.push(currentSignal()!);
        await new Promise(() => {}); // ignores its signal: must not be waited for
      },
      { timeoutMs: 40, maxRuns: 2 },
    );
    const cooperative = scheduler.schedule(
      async () => {
        const signal = currentSignal()!;
        await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error)));
      },
      { timeoutMs: 40 },
    );
    await scheduler.runAll();
    expect(scheduler.getJob(id)).toMatchObject({ status: 'failed', runs: 2, error: 'timed out after 40 ms' });
    expect(signals).toHaveLength(2);
    expect(signals[0]).not.toBe(signals[1]); // each run has a fresh scope
    for (const signal of signals) {
      expect(signal.aborted).toBe(true);
      expect((signal.reason as Error).message).toBe('timed out after 40 ms');
    }
    expect(scheduler.getJob(cooperative)).toMatchObject({ status: 'failed', error: 'timed out after 40 ms' });
    expect(scheduler.metrics.jobsFailed).toBe(2);
  });

  it('delayMs keeps a job pending until it is due', async () => {
    const scheduler = new AsyncScheduler();
    const scheduledAt = performance.now();
    let delayedStart = 0;
    const order: string[] = [];
    const delayed = scheduler.schedule(
      () => {
        delayedStart = performance.now();
        order.push('delayed');
        return Promise.resolve();
      },
      { delayMs: 50, priority: -10 },
    );
    scheduler.schedule(
      () => {
        order.push('now');
        return Promise.resolve();
      },
      { priority: 10 },
    );
    expect(scheduler.getJob(delayed)!.status).toBe('pending');
    await scheduler.runAll();
    expect(order).toEqual(['now', 'delayed']);
    expect(delayedStart - scheduledAt).toBeGreaterThanOrEqual(49);
    expect(scheduler.getJob(delayed)!.status).toBe('completed');
  });

  it('cancel() of a delayed job clears its timer and runAll does not wait for it', async () => {
    const scheduler = new AsyncScheduler();
    const id = scheduler.schedule(() => Promise.resolve(1), { delayMs: 60_000 });
    expect(scheduler.cancel(id)).toBe(true);
    await scheduler.runAll();
    expect(scheduler.getJob(id)!.status).toBe('cancelled');
  });
});
