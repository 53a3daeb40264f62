// The job columns behind getJob/listJobs/runAll (src/scheduler/job-store.ts): every id finds
// its own job, before and after clearFinished() removes some in the middle; anything that is
// not exactly one of its ids finds nothing; an AsyncJob read before clearFinished() keeps its
// final values; like jobs scheduled in a row share their fn/name/options, unlike ones do not.
/* eslint-disable @typescript-eslint/require-await -- jobs are async functions by contract */

import { inspect } from 'node:util';
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

  it('an AsyncJob read before clearFinished() keeps its final values; runAll still returns jobs forgotten meanwhile', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 1 });
    const ok = scheduler.schedule(async () => 'value', { name: 'ok' });
    const bad = scheduler.schedule(
      async () => {
        throw new Error('nope');
      },
      { name: 'bad' },
    );
    const okJob = scheduler.getJob(ok)!;
    expect(scheduler.getJob(ok)).toBe(okJob);
    expect(okJob.status).toBe('pending');
    expect(okJob.startedAt).toBeNull();
    // The last job forgets the two finished before it while runAll() is still running.
    const last = scheduler.schedule(async () => scheduler.clearFinished(), { name: 'last', priority: 1 });
    const ran = await scheduler.runAll();
    expect([...ran.keys()]).toEqual([ok, bad, last]);
    expect(ran.get(ok)).toBe(okJob);
    expect(ran.get(bad)).toMatchObject({ id: bad, name: 'bad', status: 'failed', error: 'nope', runs: 1 });
    expect(ran.get(last)).toMatchObject({ status: 'completed', result: 2 });
    expect(scheduler.getJob(ok)).toBeUndefined();
    expect(okJob).toMatchObject({ id: ok, name: 'ok', status: 'completed', result: 'value', error: null, runs: 1 });
    expect(okJob.completedAt!.getTime()).toBeGreaterThanOrEqual(okJob.startedAt!.getTime());
    expect(scheduler.listJobs().map((job) => job.id)).toEqual([last]);
  });

  it('console.log and util.inspect show an AsyncJob by its fields', async () => {
    const scheduler = new AsyncScheduler();
    const id = scheduler.schedule(async (x: number) => x + 1, { name: 'shown', args: [1] });
    await scheduler.runAll();
    const shown = inspect(scheduler.getJob(id), { breakLength: Infinity });
    expect(shown).toMatch(
      new RegExp(
        `^AsyncJob \\{ id: '${id}', name: 'shown', priority: 0, status: 'completed', result: 2, error: null, `,
      ),
    );
    expect(shown).toMatch(/maxRuns: 1, runs: 1 \}$/);
  });

  it('keeps each job its own function, name, maxRuns and args when like and unlike jobs alternate', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 3 });
    const double = async (x: number): Promise<number> => 2 * x;
    let flakyRuns = 0;
    const flaky = async (): Promise<string> => {
      if (++flakyRuns < 2) throw new Error('again');
      return 'flaky done';
    };
    const ids = [
      scheduler.schedule(double, { name: 'd', args: [1] }),
      scheduler.schedule(double, { name: 'd', args: [2] }),
      scheduler.schedule(double, { name: 'e' }),
      scheduler.schedule(flaky, { maxRuns: 2 }),
      scheduler.schedule(double, { name: 'd', args: [3] }),
    ];
    await scheduler.runAll();
    expect(ids.map((id) => scheduler.getJob(id)!.name)).toEqual(['d', 'd', 'e', 'flaky', 'd']);
    expect(ids.map((id) => scheduler.getJob(id)!.result)).toEqual([2, 4, NaN, 'flaky done', 6]);
    expect(ids.map((id) => scheduler.getJob(id)!.maxRuns)).toEqual([1, 1, 1, 2, 1]);
    expect(scheduler.listJobs('completed')).toHaveLength(5);
    expect(scheduler.listJobs('pending')).toEqual([]);
  });
});
