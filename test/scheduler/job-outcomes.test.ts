// Whatever a job's function returns is its outcome: a native promise (followed with one
// then()), a Promise subclass, a thenable, a plain value, or a synchronous throw. The job's
// signal is currentSignal() before and after its awaits, and each job sees its own.
/* eslint-disable @typescript-eslint/require-await -- jobs are async functions by contract */

import { describe, expect, it } from 'vitest';
import { AsyncScheduler, currentSignal } from '../../src/index.ts';

class OwnPromise<T> extends Promise<T> {}

describe('job outcomes', () => {
  it('records every kind of return value and throw, each in its own job record', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 2 });
    const ids = {
      resolved: scheduler.schedule(async () => 'native'),
      rejected: scheduler.schedule(async () => {
        throw new Error('native no');
      }),
      subclass: scheduler.schedule(() => OwnPromise.resolve('subclass')),
      subclassRejected: scheduler.schedule(() => OwnPromise.reject(new Error('subclass no'))),
      thenable: scheduler.schedule(() => ({ then: (ok: (value: string) => void) => ok('thenable') })),
      plain: scheduler.schedule(() => 'plain'),
      thrown: scheduler.schedule(() => {
        throw new Error('sync no');
      }),
    };
    const ran = await scheduler.runAll();
    const outcome = (id: string) => {
      const job = ran.get(id)!;
      return [job.status, job.result, job.error];
    };
    expect(outcome(ids.resolved)).toEqual(['completed', 'native', null]);
    expect(outcome(ids.rejected)).toEqual(['failed', null, 'native no']);
    expect(outcome(ids.subclass)).toEqual(['completed', 'subclass', null]);
    expect(outcome(ids.subclassRejected)).toEqual(['failed', null, 'subclass no']);
    expect(outcome(ids.thenable)).toEqual(['completed', 'thenable', null]);
    expect(outcome(ids.plain)).toEqual(['completed', 'plain', null]);
    expect(outcome(ids.thrown)).toEqual(['failed', null, 'sync no']);
    expect(scheduler.metrics.jobsCompleted).toBe(4);
    expect(scheduler.metrics.jobsFailed).toBe(3);
  });

  it("keeps each job's own signal as currentSignal() across awaits, with jobs interleaved", async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 8 });
    const seen: Array<[AbortSignal | undefined, AbortSignal | undefined, AbortSignal | undefined]> = [];
    for (let i = 0; i < 16; i++) {
      scheduler.schedule(async () => {
        const before = currentSignal();
        await Promise.resolve();
        await new Promise((resolve) => setImmediate(resolve));
        const after = currentSignal();
        const inThen = await Promise.resolve().then(() => currentSignal());
        seen.push([before, after, inThen]);
      });
    }
    await scheduler.runAll();
    expect(seen).toHaveLength(16);
    for (const [before, after, inThen] of seen) {
      expect(before).toBeInstanceOf(AbortSignal);
      expect(after).toBe(before);
      expect(inThen).toBe(before);
    }
    expect(new Set(seen.map(([before]) => before)).size).toBe(16);
    expect(currentSignal()).toBeUndefined();
  });
});
