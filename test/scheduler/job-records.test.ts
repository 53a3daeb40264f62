// What runAll() returns and what a job record holds: runAll's map holds the jobs it ran
// (pending or running when it was called, plus those scheduled while it ran), never a
// cancelled one, as the seed's run_all(); listJobs() still shows every job. Each job's
// Dates are its own objects.
/* eslint-disable @typescript-eslint/require-await -- tasks and jobs are async functions by contract; many here finish at once */

import { describe, expect, it } from 'vitest';
import { AsyncScheduler } from '../../src/index.ts';
import { createDeferred } from '../task/deferred.ts';

describe('runAll returns what it ran', () => {
  it('leaves out cancelled jobs and jobs finished by an earlier runAll; includes jobs scheduled meanwhile', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 1 });
    const earlier = scheduler.schedule(async () => 'earlier');
    expect([...(await scheduler.runAll()).keys()]).toEqual([earlier]);

    let late = '';
    const first = scheduler.schedule(async () => {
      late = scheduler.schedule(async () => 'late');
      return 'first';
    });
    const cancelled = scheduler.schedule(async () => 'never');
    expect(scheduler.cancel(cancelled)).toBe(true);
    const pendingThenCancelled = scheduler.schedule(async () => 'never either', { priority: 5 });
    scheduler.schedule(
      async () => {
        scheduler.cancel(pendingThenCancelled);
      },
      { priority: 1 },
    );

    const ran = await scheduler.runAll();
    expect(ran.has(earlier)).toBe(false);
    expect(ran.has(cancelled)).toBe(false);
    expect(ran.has(pendingThenCancelled)).toBe(false);
    expect(ran.get(first)).toBe(scheduler.getJob(first));
    expect(ran.get(late)).toMatchObject({ status: 'completed', result: 'late' });
    expect(ran.size).toBe(3);
    expect(scheduler.listJobs()).toHaveLength(6);
    expect(
      scheduler
        .listJobs('cancelled')
        .map((job) => job.id)
        .sort(),
    ).toEqual([cancelled, pendingThenCancelled].sort());
  });

  it('a job running when runAll is called is in its map; one cancelled while running is not', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 2 });
    const started = createDeferred();
    const finish = createDeferred();
    const running = scheduler.schedule(async () => {
      started.resolve();
      await finish.promise;
      return 'done';
    });
    const stuck = scheduler.schedule(async () => new Promise(() => undefined));
    scheduler.start();
    await started.promise;
    const all = scheduler.runAll();
    scheduler.cancel(stuck);
    finish.resolve();
    const ran = await all;
    await scheduler.stop();
    expect([...ran.keys()]).toEqual([running]);
  });
});

describe('job records own their values', () => {
  it("changing one job's Dates changes no other job's", async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 4 });
    const ids = Array.from({ length: 50 }, (_, i) => scheduler.schedule(async () => i));
    await scheduler.runAll();
    const jobs = ids.map((id) => scheduler.getJob(id)!);
    const first = jobs[0];
    const before = jobs
      .slice(1)
      .map((job) => [job.scheduledAt.getTime(), job.startedAt!.getTime(), job.completedAt!.getTime()]);
    first.scheduledAt.setFullYear(2000);
    first.startedAt!.setFullYear(2000);
    first.completedAt!.setFullYear(2000);
    expect(
      jobs.slice(1).map((job) => [job.scheduledAt.getTime(), job.startedAt!.getTime(), job.completedAt!.getTime()]),
    ).toEqual(before);
    // The change sticks on the job it was made on: the Date is that job's own object.
    expect(first.startedAt!.getFullYear()).toBe(2000);
    expect(first.startedAt).toBe(first.startedAt);
    expect((JSON.parse(JSON.stringify(first)) as { startedAt: string }).startedAt).toMatch(/^2000-/);
  });
});
