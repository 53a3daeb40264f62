// scheduleScript: Python scripts as priority-ordered jobs through the supervisor pool.
// The job's result is the ScriptResult; a script that does not pass fails the job; a
// cancelled job's script dies with its process group (checked by pid in /proc).

import { describe, expect, it } from 'vitest';
import { AsyncScheduler } from '../../src/index.ts';
import { PYTHON, fixture, processState, waitUntilGone, watchOutput } from '../script/helpers.ts';
import type { ScriptResult } from '../../src/index.ts';

describe('AsyncScheduler.scheduleScript', () => {
  it('runs scripts in priority order with the ScriptResult as the job result', async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 1 });
    const low = scheduler.scheduleScript(fixture('exit_code.py'), {
      python: PYTHON,
      args: ['0'],
      priority: 5,
      name: 'low',
    });
    const high = scheduler.scheduleScript(fixture('hello.py'), { python: PYTHON, priority: 1 });
    await scheduler.runAll();
    const highJob = scheduler.getJob(high)!;
    const lowJob = scheduler.getJob(low)!;
    expect(highJob).toMatchObject({ status: 'completed', name: 'hello.py' });
    expect(lowJob).toMatchObject({ status: 'completed', name: 'low' });
    const result = highJob.result as ScriptResult;
    expect(result.status).toBe('passed');
    expect(result.stdout).toContain('hello from');
    expect(highJob.startedAt!.getTime()).toBeLessThanOrEqual(lowJob.startedAt!.getTime());
    expect(new Date((lowJob.result as ScriptResult).startTime).getTime()).toBeGreaterThanOrEqual(
      new Date(result.endTime).getTime() - 1,
    );
  });

  it('fails the job, keeping the ScriptResult, when the script does not pass; maxRuns retries it', async () => {
    const scheduler = new AsyncScheduler();
    const id = scheduler.scheduleScript(fixture('exit_code.py'), { python: PYTHON, args: ['3'], maxRuns: 2 });
    await scheduler.runAll();
    const job = scheduler.getJob(id)!;
    expect(job).toMatchObject({ status: 'failed', runs: 2 });
    expect((job.result as ScriptResult).status).toBe('failed');
    expect((job.result as ScriptResult).exitCode).toBe(3);
    expect(job.error).toBe((job.result as ScriptResult).error);
  });

  it('cancel() of a running script job kills its process', async () => {
    const scheduler = new AsyncScheduler();
    const { onOutput, matched } = watchOutput(/started (\d+)/);
    const id = scheduler.scheduleScript(fixture('forever.py'), { python: PYTHON, onOutput });
    const all = scheduler.runAll();
    const pid = Number((await matched)[1]);
    expect(processState(pid)).not.toBeNull();
    expect(scheduler.cancel(id)).toBe(true);
    await all;
    expect(scheduler.getJob(id)!.status).toBe('cancelled');
    await waitUntilGone(pid);
  });

  it('refuses bad script options synchronously', () => {
    const scheduler = new AsyncScheduler();
    expect(() => scheduler.scheduleScript('')).toThrow(TypeError);
    expect(() => scheduler.scheduleScript(fixture('hello.py'), { timeoutMs: -1 })).toThrow(/timeoutMs/);
    expect(() => scheduler.scheduleScript(fixture('hello.py'), { priority: 'high' as never })).toThrow(/priority/);
    expect(scheduler.metrics.jobsScheduled).toBe(0);
  });

  it("runs script jobs with startMethod 'forkserver': preloads apply, cancel() kills the fork", async () => {
    const scheduler = new AsyncScheduler({ maxConcurrency: 2 });
    const options = { python: PYTHON, startMethod: 'forkserver' as const, preload: ['decimal'] };
    const probe = scheduler.scheduleScript(fixture('echo_argv.py'), { ...options, args: ['x'] });
    const { onOutput, matched } = watchOutput(/started (\d+)/);
    const forever = scheduler.scheduleScript(fixture('forever.py'), { ...options, onOutput });
    const all = scheduler.runAll();
    const pid = Number((await matched)[1]);
    expect(processState(pid)).not.toBeNull();
    expect(scheduler.cancel(forever)).toBe(true);
    await all;
    expect(scheduler.getJob(forever)!.status).toBe('cancelled');
    await waitUntilGone(pid);
    const result = scheduler.getJob(probe)!.result as ScriptResult;
    expect(result.status).toBe('passed');
    expect(JSON.parse(result.stdout)).toMatchObject({ argv: [fixture('echo_argv.py'), 'x'], name: '__main__' });
    expect(() => scheduler.scheduleScript(fixture('hello.py'), { startMethod: 'fork' as never })).toThrow(
      /scheduleScript options\.startMethod must be 'spawn' or 'forkserver'/,
    );
  });
});
