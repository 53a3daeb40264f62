// Finding jobs by id (the scheduler keeps them in an ordered table, looked up by binary search):
// every id finds its own job, before and after clearFinished() removes some in the middle;
// anything that is not exactly one of its ids finds nothing.
/* eslint-disable @typescript-eslint/require-await -- jobs are async functions by contract */

import { describe, expect, it } from 'vitest';
import { AsyncScheduler } from '../../src/index.ts';

describe('getJob and cancel by id', () => {
  it('find each job by its id, also after clearFinished() removed others between them', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 4 });
    const ids = Array.from({ length: 50 }, (_, i) => scheduler.schedule(async () => i, { name: `n${i}` }));
    for (const [i, id] of ids.entries()) expect(scheduler.getJob(id)?.name).toBe(`n${i}`);
    await scheduler.runAll();
    // Pending jobs scheduled after the finished ones, with gaps where finished ones were.
    const later = Array.from({ length: 20 }, (_, i) => scheduler.schedule(async () => i, { name: `later${i}` }));
    expect(scheduler.clearFinished()).toBe(50);
    for (const id of ids) expect(scheduler.getJob(id)).toBeUndefined();
    for (const [i, id] of later.entries()) expect(scheduler.getJob(id)?.name).toBe(`later${i}`);
    expect(scheduler.cancel(later[7])).toBe(true);
    expect(scheduler.getJob(later[7])?.status).toBe('cancelled');
    expect(scheduler.listJobs().map((job) => job.id)).toEqual(later);
    await scheduler.close();
  });

  it('finds nothing for an id written another way, an unknown number or a non-string', () => {
    const scheduler = new AsyncScheduler();
    const id = scheduler.schedule(async () => 1);
    expect(id).toBe('job-1');
    for (const other of ['job-01', 'job-1.0', 'job-+1', ' job-1', 'job-2', 'job-0', 'job-', 'job-1e0', 'JOB-1'])
      expect(scheduler.getJob(other)).toBeUndefined();
    expect(scheduler.getJob(1 as unknown as string)).toBeUndefined();
    expect(scheduler.cancel('job-01')).toBe(false);
    expect(scheduler.getJob(id)?.status).toBe('pending');
  });
});
