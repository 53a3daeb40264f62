// Cancel storms: 1,000 queued and running tasks cancelled at once, in every runner. Every
// promise settles, every task is counted once as cancelled, and the runner takes new work
// afterwards. Tasks that ignore their signal are recorded at once and not waited for.
import { setMaxListeners } from 'node:events';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  AsyncJobStatus,
  AsyncParallelRunner,
  AsyncScheduler,
  ParallelRunner,
  closeFunctionPool,
  currentSignal,
  runFunction,
} from '../../src/index.ts';
import { PYTHON, fixture, settleWithin, waitFor, waitUntilGone } from './helpers.ts';

const N = 1_000;

/** Waits for the current task's abort, or (every third task) ignores it and never ends. */
function makeTask(started: { count: number }, index: number) {
  return (): Promise<unknown> => {
    started.count++;
    const signal = currentSignal()!;
    if (index % 3 === 0) return new Promise(() => {}); // ignores its signal
    return new Promise((_, reject) =>
      signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }),
    );
  };
}

afterAll(() => closeFunctionPool());

describe(`cancel of ${N} queued and running tasks at once`, () => {
  it('AsyncParallelRunner: cancel() settles the run with every task cancelled, then it runs again', async () => {
    const runner = new AsyncParallelRunner({ maxConcurrency: 100 });
    const started = { count: 0 };
    const run = runner.run(Array.from({ length: N }, (_, i) => [`t${i}`, makeTask(started, i)] as const));
    await waitFor(() => started.count === 100, '100 running tasks');
    runner.cancel();
    const result = await settleWithin(run, 10_000, 'the cancelled run');
    expect(result).toMatchObject({ total: N, passed: 0, failed: 0, cancelled: N });
    expect(result.results.map((r) => r.name)).toEqual(Array.from({ length: N }, (_, i) => `t${i}`));
    expect(started.count).toBe(100);
    const again = await runner.run(Array.from({ length: N }, (_, i) => [`u${i}`, () => Promise.resolve(i)] as const));
    expect(again).toMatchObject({ total: N, passed: N });
  });

  it('AsyncParallelRunner: aborting the run signal works the same', async () => {
    const runner = new AsyncParallelRunner({ maxConcurrency: 50 });
    const started = { count: 0 };
    const controller = new AbortController();
    const run = runner.run(
      Array.from({ length: N }, (_, i) => ({ name: `t${i}`, fn: makeTask(started, i) })),
      { signal: controller.signal },
    );
    await waitFor(() => started.count === 50, '50 running tasks');
    controller.abort(new Error('storm'));
    const result = await settleWithin(run, 10_000, 'the aborted run');
    expect(result.cancelled).toBe(N);
    expect((await runner.run([['after', () => Promise.resolve('ok')]])).results[0]).toMatchObject({
      success: true,
      value: 'ok',
    });
  });

  it('AsyncScheduler: cancelling every job at once settles runAll, then new jobs complete', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 50 });
    const started = { count: 0 };
    const ids = Array.from({ length: N }, (_, i) => scheduler.schedule(makeTask(started, i), { name: `j${i}` }));
    const all = scheduler.runAll();
    await waitFor(() => started.count === 50, '50 running jobs');
    expect(ids.map((id) => scheduler.cancel(id)).every(Boolean)).toBe(true);
    const jobs = await settleWithin(all, 10_000, 'runAll after the storm');
    expect(jobs.size).toBe(0); // runAll's map never holds cancelled jobs (API.md, as the seed)
    expect(ids.every((id) => scheduler.getJob(id)?.status === AsyncJobStatus.CANCELLED)).toBe(true);
    expect(scheduler.listJobs(AsyncJobStatus.CANCELLED)).toHaveLength(N);
    expect(scheduler.metrics.jobsCancelled).toBe(N);
    expect(scheduler.runningCount).toBe(0);
    const next = scheduler.schedule(() => Promise.resolve(42));
    await scheduler.runAll();
    expect(scheduler.getJob(next)).toMatchObject({ status: AsyncJobStatus.COMPLETED, result: 42 });
    await scheduler.close();
  });

  it('runFunction: one abort settles 1,000 calls (running and queued) as cancelled; the pool works after', async () => {
    const controller = new AbortController();
    // One signal shared by 1,000 calls: its owner (this test) says so, as Node asks.
    setMaxListeners(N + 10, controller.signal);
    const module = new URL('../fixtures/functions.ts', import.meta.url);
    const calls = Array.from({ length: N }, () =>
      runFunction({ module, export: 'spinForever' }, { signal: controller.signal }),
    );
    // Let some calls reach threads before the storm (the pool starts them as it can).
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    const results = await settleWithin(Promise.all(calls), 60_000, 'the aborted calls');
    expect(results.every((r) => r.status === 'cancelled')).toBe(true);
    const next = await runFunction({ module, export: 'add' }, { args: [1, 2] });
    expect(next).toMatchObject({ status: 'passed', result: 3 });
  });

  it(`ParallelRunner: cancel() with ${N} scripts queued and some running`, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-storm-'));
    const runner = new ParallelRunner({ maxWorkers: 4, python: PYTHON });
    try {
      const run = runner.runScripts(
        Array.from({ length: N }, () => fixture('announce_tree.py')),
        { env: { PID_DIR: dir } },
      );
      await waitFor(() => readdirSync(dir).filter((f) => f.endsWith('.script')).length === 4, '4 running scripts');
      const pids = readdirSync(dir).map((f) => parseInt(f, 10));
      runner.cancel();
      const result = await settleWithin(run, 30_000, 'the cancelled run');
      expect(result).toMatchObject({ total: N, passed: 0, failed: 0, timeout: 0, skipped: N });
      for (const pid of pids) await waitUntilGone(pid);
      const after = await runner.runScripts([fixture('hello.py')]);
      expect(after.passed).toBe(1);
    } finally {
      await runner.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
