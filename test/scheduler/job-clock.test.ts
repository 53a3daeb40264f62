// A job record's Dates come from the scheduler's one monotonic clock read per event, turned
// into wall-clock time: each is never later than Date.now() read after the event and at
// most 1 ms earlier than Date.now() read before it.

import { describe, expect, it } from 'vitest';
import { AsyncScheduler } from '../../src/index.ts';
import { createDeferred } from '../task/deferred.ts';

describe("a job's Dates", () => {
  it('fall within 1 ms of Date.now() read around schedule, start and finish', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 1 });
    const started = createDeferred<number>();
    const finish = createDeferred<void>();
    const beforeSchedule = Date.now();
    const id = scheduler.schedule(async () => {
      started.resolve(Date.now());
      await finish.promise;
    });
    const afterSchedule = Date.now();
    const ran = scheduler.runAll();
    const startedBy = await started.promise;
    // Some wall time passes while the job runs.
    await new Promise((resolve) => setTimeout(resolve, 30));
    const beforeFinish = Date.now();
    finish.resolve();
    await ran;
    const afterFinish = Date.now();

    const job = scheduler.getJob(id)!;
    expect(job.scheduledAt.getTime()).toBeGreaterThanOrEqual(beforeSchedule - 1);
    expect(job.scheduledAt.getTime()).toBeLessThanOrEqual(afterSchedule);
    expect(job.startedAt!.getTime()).toBeGreaterThanOrEqual(afterSchedule - 1);
    expect(job.startedAt!.getTime()).toBeLessThanOrEqual(startedBy);
    expect(job.completedAt!.getTime()).toBeGreaterThanOrEqual(beforeFinish - 1);
    expect(job.completedAt!.getTime()).toBeLessThanOrEqual(afterFinish);
  });
});
