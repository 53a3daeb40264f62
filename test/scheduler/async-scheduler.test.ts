// AsyncScheduler: priority order and FIFO, jobs joining while it runs, continuous mode,
// cancel of pending and running jobs, scopes, events and metrics, option errors.
// Synchronised on promises that jobs resolve, never on sleeps.
/* eslint-disable @typescript-eslint/require-await -- tasks and jobs are async functions by contract; many here finish at once */

import { describe, expect, it } from 'vitest';
import { getEventListeners } from 'node:events';
import { setImmediate as tick } from 'node:timers/promises';
import mittImport from 'mitt';
import { AsyncJobStatus, AsyncParallelRunner, AsyncScheduler, currentSignal } from '../../src/index.ts';
import { createDeferred } from '../task/deferred.ts';

// mitt's typings are CommonJS-shaped; at runtime the ESM default is the factory.
const mitt = mittImport as unknown as typeof mittImport.default;

describe('AsyncScheduler', () => {
  it('runs lower priorities first and equal priorities in scheduling order', async () => {
    const order: string[] = [];
    const scheduler = new AsyncScheduler({ maxConcurrency: 1 });
    const record = async (name: string): Promise<string> => {
      order.push(name);
      return name;
    };
    const plan: Array<[string, number]> = [
      ['c1', 3],
      ['a1', 1],
      ['b1', 2],
      ['a2', 1],
      ['c2', 3],
      ['a3', 1],
      ['z', -5],
    ];
    for (const [name, priority] of plan) scheduler.schedule(record, { name, priority, args: [name] });
    expect(scheduler.listJobs('pending')).toHaveLength(7);
    const jobs = await scheduler.runAll();
    expect(order).toEqual(['z', 'a1', 'a2', 'a3', 'b1', 'c1', 'c2']);
    expect(jobs.size).toBe(7);
    for (const [id, job] of jobs) {
      expect(job).toBe(scheduler.getJob(id));
      expect(job).toMatchObject({ status: 'completed', result: job.name, error: null, runs: 1, maxRuns: 1 });
      expect(job.startedAt).toBeInstanceOf(Date);
      expect(job.completedAt!.getTime()).toBeGreaterThanOrEqual(job.startedAt!.getTime());
    }
  });

  it('jobs scheduled while it runs join the queue by priority and runAll waits for them', async () => {
    const order: string[] = [];
    const scheduler = new AsyncScheduler({ maxConcurrency: 1 });
    scheduler.schedule(
      async () => {
        order.push('first');
        scheduler.schedule(
          async () => {
            order.push('late-low');
          },
          { priority: 9 },
        );
        scheduler.schedule(
          async () => {
            order.push('late-high');
          },
          { priority: 0 },
        );
      },
      { priority: 0 },
    );
    scheduler.schedule(
      async () => {
        order.push('mid');
      },
      { priority: 5 },
    );
    await scheduler.runAll();
    expect(order).toEqual(['first', 'late-high', 'mid', 'late-low']);
  });

  it('respects maxConcurrency (default 4)', async () => {
    let active = 0;
    let peak = 0;
    const job = async (): Promise<void> => {
      active++;
      peak = Math.max(peak, active);
      await tick();
      active--;
    };
    const scheduler = new AsyncScheduler();
    for (let i = 0; i < 40; i++) scheduler.schedule(job);
    await scheduler.runAll();
    expect(peak).toBe(4);
  });

  it('continuous mode: start() runs jobs as they arrive, onIdle() and stop() wait', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 2 });
    await scheduler.onIdle(); // nothing pending: resolves at once
    scheduler.start();
    const gate = createDeferred();
    const started = createDeferred();
    const id = scheduler.schedule(async () => {
      started.resolve();
      await gate.promise;
      return 'done';
    });
    await started.promise;
    expect(scheduler.getJob(id)!.status).toBe('running');
    let idle = false;
    const idlePromise = scheduler.onIdle().then(() => {
      idle = true;
    });
    await tick();
    expect(idle).toBe(false);
    gate.resolve();
    await idlePromise;
    expect(scheduler.getJob(id)!.status).toBe('completed');

    const gate2 = createDeferred();
    const started2 = createDeferred();
    const id2 = scheduler.schedule(async () => {
      started2.resolve();
      await gate2.promise;
    });
    await started2.promise;
    let stopped = false;
    const stopPromise = scheduler.stop().then(() => {
      stopped = true;
    });
    const queued = scheduler.schedule(async () => 'after stop');
    await tick();
    expect(stopped).toBe(false);
    gate2.resolve();
    await stopPromise;
    expect(scheduler.getJob(id2)!.status).toBe('completed');
    expect(scheduler.getJob(queued)!.status).toBe('pending'); // stopped: not started
    await scheduler.runAll();
    expect(scheduler.getJob(queued)!.result).toBe('after stop');
  });

  it('cancel(): a pending job never runs; a running job is aborted and not waited for', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 1 });
    const started = createDeferred<AbortSignal>();
    let pendingRan = false;
    const running = scheduler.schedule(
      async () => {
        started.resolve(currentSignal()!);
        await new Promise(() => {}); // ignores its signal
      },
      { name: 'stubborn' },
    );
    const pending = scheduler.schedule(async () => {
      pendingRan = true;
    });
    const after = scheduler.schedule(async () => 'ran');
    expect(scheduler.cancel(pending)).toBe(true);
    const all = scheduler.runAll();
    const signal = await started.promise;
    expect(scheduler.cancel(running)).toBe(true);
    expect(signal.aborted).toBe(true);
    await all;
    expect(pendingRan).toBe(false);
    expect(scheduler.getJob(running)).toMatchObject({ status: 'cancelled' });
    expect(scheduler.getJob(running)!.error).toBe("cancelled: scheduler.cancel() was called for job 'stubborn'");
    expect(scheduler.getJob(pending)!.status).toBe('cancelled');
    expect(scheduler.getJob(after)!.result).toBe('ran');
    expect(scheduler.cancel(after)).toBe(false); // finished
    expect(scheduler.cancel('no-such-job')).toBe(false);
    expect(scheduler.metrics).toMatchObject({ jobsScheduled: 3, jobsCompleted: 1, jobsCancelled: 2, jobsFailed: 0 });
  });

  it('a job sees its own signal; a scheduler created inside a task is its child', async () => {
    const jobStarted = createDeferred<AbortSignal>();
    let jobs: Map<string, unknown> | undefined;
    const parent = new AbortController();
    const run = new AsyncParallelRunner().run(
      [
        [
          'owner',
          async () => {
            const scheduler = new AsyncScheduler();
            scheduler.schedule(async () => {
              jobStarted.resolve(currentSignal()!);
              await new Promise(() => {});
            });
            scheduler.schedule(async () => 'never', { delayMs: 60_000 });
            jobs = await scheduler.runAll();
          },
        ],
      ],
      { signal: parent.signal },
    );
    const jobSignal = await jobStarted.promise;
    parent.abort(new Error('parent gone'));
    expect(jobSignal.aborted).toBe(true);
    await run;
    await expect.poll(() => jobs).toBeDefined();
    for (const job of jobs!.values()) expect(job).toMatchObject({ status: 'cancelled' });
  });

  it('emits events with jobId and jobName; a throwing handler disturbs nothing', async () => {
    const bus = mitt<Record<string, { jobId: string; durationMs?: number }>>();
    const events: Array<[string, { jobId: string; durationMs?: number }]> = [];
    bus.on('*', (type, payload) => events.push([String(type), payload]));
    bus.on('job.started', () => {
      throw new Error('handler bug');
    });
    const scheduler = new AsyncScheduler({ eventBus: bus });
    const ok = scheduler.schedule(async function fetchThing() {
      return 1;
    });
    const bad = scheduler.schedule(
      async () => {
        throw new Error('nope');
      },
      { name: 'bad', maxRuns: 2 },
    );
    await scheduler.runAll();
    const types = (id: string): string[] => events.filter(([, p]) => p.jobId === id).map(([t]) => t);
    expect(types(ok)).toEqual(['job.scheduled', 'job.started', 'job.completed']);
    expect(types(bad)).toEqual(['job.scheduled', 'job.started', 'job.retrying', 'job.started', 'job.failed']);
    const completed = events.find(([t]) => t === 'job.completed')![1];
    expect(completed).toMatchObject({ jobId: ok, jobName: 'fetchThing' });
    expect(typeof completed.durationMs).toBe('number');
    expect(events.find(([t]) => t === 'job.failed')![1]).toMatchObject({ jobName: 'bad', error: 'nope' });
    expect(scheduler.getJob(bad)).toMatchObject({ status: 'failed', runs: 2, error: 'nope' });
  });

  it('metrics count jobs, not attempts, and report queue-wait percentiles and throughput', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 2 });
    let calls = 0;
    scheduler.schedule(
      async () => {
        if (++calls < 3) throw new Error('flaky');
        return 'ok';
      },
      { maxRuns: 3 },
    );
    for (let i = 0; i < 20; i++) scheduler.schedule(async () => i);
    scheduler.schedule(
      async () => {
        throw new Error('always');
      },
      { maxRuns: 2 },
    );
    await scheduler.runAll();
    const m = scheduler.metrics;
    expect(m).toMatchObject({ jobsScheduled: 22, jobsCompleted: 21, jobsFailed: 1, jobsCancelled: 0, jobsRetried: 3 });
    expect(m.totalExecutionTimeMs).toBeGreaterThanOrEqual(0);
    expect(m.queueWaitP95Ms).toBeGreaterThanOrEqual(m.queueWaitP50Ms);
    expect(m.throughputPerSec).toBeGreaterThan(0);
    expect(JSON.parse(JSON.stringify(m))).toMatchObject({ jobsScheduled: 22, jobsCompleted: 21, jobsFailed: 1 });
  });

  it('listJobs filters by status; clearFinished forgets finished jobs', async () => {
    const scheduler = new AsyncScheduler();
    scheduler.schedule(async () => 1);
    scheduler.schedule(async () => {
      throw new Error('x');
    });
    await scheduler.runAll();
    expect(scheduler.listJobs()).toHaveLength(2);
    expect(scheduler.listJobs(AsyncJobStatus.COMPLETED)).toHaveLength(1);
    expect(scheduler.listJobs('failed')).toHaveLength(1);
    expect(scheduler.clearFinished()).toBe(2);
    expect(scheduler.listJobs()).toHaveLength(0);
  });

  it('close() cancels everything and later jobs are cancelled at once', async () => {
    const scheduler = new AsyncScheduler();
    const started = createDeferred();
    const running = scheduler.schedule(async () => {
      started.resolve();
      await new Promise(() => {});
    });
    const delayed = scheduler.schedule(async () => 1, { delayMs: 60_000 });
    scheduler.start();
    await started.promise;
    await scheduler.close();
    expect(scheduler.getJob(running)!.status).toBe('cancelled');
    expect(scheduler.getJob(delayed)!.status).toBe('cancelled');
    const late = scheduler.schedule(async () => 1);
    expect(scheduler.getJob(late)!.status).toBe('cancelled');
    await scheduler.onIdle();
  });

  it('a job serialises to the AsyncJob fields only', async () => {
    const scheduler = new AsyncScheduler();
    const id = scheduler.schedule(async () => 42, { name: 'answer', priority: 2 });
    await scheduler.runAll();
    const json = JSON.parse(JSON.stringify(scheduler.getJob(id))) as Record<string, unknown>;
    expect(Object.keys(json).sort()).toEqual([
      'completedAt',
      'error',
      'id',
      'maxRuns',
      'name',
      'priority',
      'result',
      'runs',
      'scheduledAt',
      'startedAt',
      'status',
    ]);
    expect(json).toMatchObject({
      id,
      name: 'answer',
      priority: 2,
      status: 'completed',
      result: 42,
      runs: 1,
      maxRuns: 1,
    });
  });

  it('keeps one listener on its parent signal whatever the number of jobs, none after close()', async () => {
    const parent = new AbortController();
    const before = getEventListeners(parent.signal, 'abort').length;
    const scheduler = new AsyncScheduler({ signal: parent.signal, maxConcurrency: 16 });
    let peak = 0;
    const job = async (): Promise<void> => {
      currentSignal();
      peak = Math.max(peak, getEventListeners(parent.signal, 'abort').length);
    };
    for (let i = 0; i < 10_000; i++) scheduler.schedule(job);
    await scheduler.runAll();
    expect(scheduler.metrics.jobsCompleted).toBe(10_000);
    expect(peak).toBe(before + 1);
    await scheduler.close();
    expect(getEventListeners(parent.signal, 'abort').length).toBe(before);
  });

  it('refuses bad options with a TypeError naming the option', () => {
    expect(() => new AsyncScheduler({ maxConcurrency: -1 })).toThrow(
      /maxConcurrency: expected a positive integer, got -1/,
    );
    expect(() => new AsyncScheduler({ eventBus: {} as never })).toThrow(/eventBus/);
    expect(() => new AsyncScheduler({ agingMs: 0 })).toThrow(/agingMs: expected a positive number/);
    const scheduler = new AsyncScheduler();
    expect(() => scheduler.schedule('x' as never)).toThrow(/fn: expected a function/);
    expect(() => scheduler.schedule(async () => 1, { timeoutMs: -5 })).toThrow(
      /timeoutMs: expected a positive number of milliseconds, got -5/,
    );
    expect(() => scheduler.schedule(async () => 1, { maxRuns: 0 })).toThrow(/maxRuns: expected a positive integer/);
    expect(() => scheduler.schedule(async () => 1, { args: 'a' as never })).toThrow(/args: expected an array/);
    expect(() => scheduler.schedule(async () => 1, { priority: Number.NaN })).toThrow(
      /priority: expected a finite number/,
    );
    expect(() => scheduler.schedule(async () => 1, { delayMs: -1 })).toThrow(/delayMs/);
    expect(() => scheduler.schedule(async () => 1, { retryDelayMs: -1 })).toThrow(/retryDelayMs/);
    expect(() => scheduler.listJobs('done' as never)).toThrow(/status: expected one of 'pending'/);
    expect(scheduler.metrics.jobsScheduled).toBe(0);
  });
});
