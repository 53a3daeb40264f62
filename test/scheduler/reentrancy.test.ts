// AsyncScheduler re-entered from inside its own dispatch: jobs that throw synchronously
// settle while the scheduler is still starting jobs, and event handlers may cancel the job
// they are told about. Neither may overflow the stack, lose a job or run a cancelled one.

import { describe, expect, it } from 'vitest';
import mittImport from 'mitt';
import { AsyncScheduler } from '../../src/index.ts';

// mitt's typings are CommonJS-shaped; at runtime the ESM default is the factory.
const mitt = mittImport as unknown as typeof mittImport.default;

describe('AsyncScheduler re-entrancy', () => {
  it('records 100,000 synchronously throwing jobs as failed without deep recursion', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 4 });
    const throwNow = (): never => {
      throw new Error('thrown synchronously');
    };
    for (let i = 0; i < 100_000; i++) scheduler.schedule(throwNow);
    const jobs = await scheduler.runAll();
    expect(scheduler.metrics.jobsFailed).toBe(100_000);
    expect(scheduler.metrics.jobsCompleted).toBe(0);
    const sample = jobs.get('job-99999')!;
    expect(sample).toMatchObject({ status: 'failed', error: 'thrown synchronously', runs: 1 });
    expect(scheduler.pendingCount + scheduler.runningCount).toBe(0);
  }, 60_000);

  it('a job cancelled by its job.started handler never runs, and the next one does', async () => {
    const bus = mitt<Record<string, { jobId: string }>>();
    const scheduler = new AsyncScheduler({ maxConcurrency: 1, eventBus: bus });
    const ran: string[] = [];
    const run = (name: string): Promise<void> => {
      ran.push(name);
      return Promise.resolve();
    };
    const doomed = scheduler.schedule(run, { name: 'doomed', args: ['doomed'] });
    scheduler.schedule(run, { name: 'kept', args: ['kept'] });
    bus.on('job.started', (event) => {
      if (event.jobId === doomed) scheduler.cancel(doomed);
    });
    await scheduler.runAll();
    expect(ran).toEqual(['kept']);
    expect(scheduler.getJob(doomed)).toMatchObject({ status: 'cancelled', runs: 1 });
    expect(scheduler.metrics).toMatchObject({ jobsCompleted: 1, jobsCancelled: 1 });
  });
});
