// One wording for a cancellation in every subsystem: "cancelled" or "cancelled: <reason>",
// from one function. A fail-fast reads the same in the script runner and the task group,
// and cancel() reads alike in the runners and the scheduler.
import { mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { AbortError, AsyncParallelRunner, AsyncScheduler, ParallelRunner } from '../../src/index.ts';
import { describeCancellation } from '../../src/internal/cancellation.ts';
import { waitUntil } from '../function/helpers.ts';
import { PYTHON, fixture } from '../script/helpers.ts';
import { createDeferred } from '../task/deferred.ts';

const FAILS_AFTER_MARK = path.resolve(import.meta.dirname, '../distributed/fixtures/scripts/fails_after_mark.py');
/** "cancelled: fail-fast after '<name>' failed", whoever words it. */
const FAIL_FAST = /^cancelled: fail-fast after '([^']+)' failed$/;

describe('describeCancellation', () => {
  it('words every kind of reason in one format, never prefixing twice', () => {
    expect(describeCancellation(undefined)).toBe('cancelled');
    expect(describeCancellation(new DOMException('This operation was aborted', 'AbortError'))).toBe('cancelled');
    expect(describeCancellation(AbortSignal.abort().reason)).toBe('cancelled');
    expect(describeCancellation('interrupted')).toBe('cancelled: interrupted');
    expect(describeCancellation(new Error('interrupted'))).toBe('cancelled: interrupted');
    expect(describeCancellation(new AbortError('the runner was closed'))).toBe('cancelled: the runner was closed');
    expect(describeCancellation(new Error('cancelled: already worded'))).toBe('cancelled: already worded');
    expect(describeCancellation(42)).toBe('cancelled: 42');
  });
});

describe('the same wording across subsystems', () => {
  it('a fail-fast reads the same in ParallelRunner and in AsyncParallelRunner', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ergate-wording-'));
    await using runner = new ParallelRunner({ python: PYTHON, failFast: true, maxWorkers: 2 });
    const scripts = await runner.runScripts([fixture('mark_then_wait.py'), FAILS_AFTER_MARK], {
      timeoutMs: 60_000,
      env: { MARK_DIR: dir },
      configs: { 'mark_then_wait.py': { args: [dir, path.join(dir, 'never')] } },
    });
    const cancelledScript = scripts.results.find((r) => r.status === 'cancelled')!;
    expect(cancelledScript.error).toMatch(FAIL_FAST);

    const started = createDeferred();
    const tasks = await new AsyncParallelRunner({ failFast: true }).run([
      [
        'waits',
        async () => {
          started.resolve();
          await new Promise(() => undefined);
        },
      ],
      [
        'fails_after_mark.py',
        async () => {
          await started.promise;
          throw new Error('exit code 3');
        },
      ],
    ]);
    const cancelledTask = tasks.results.find((r) => r.status === 'cancelled')!;
    expect(cancelledTask.error).toMatch(FAIL_FAST);
    // Same failing name, same words.
    expect(cancelledTask.error).toBe(cancelledScript.error);
  });

  it('cancel() reads alike in the runners and in the scheduler', async () => {
    const started = createDeferred();
    const tasks = new AsyncParallelRunner();
    const run = tasks.run([
      [
        'waits',
        async () => {
          started.resolve();
          await new Promise(() => undefined);
        },
      ],
    ]);
    await started.promise;
    tasks.cancel();
    const taskError = (await run).results[0].error;

    const dir = mkdtempSync(path.join(tmpdir(), 'ergate-wording-'));
    await using runner = new ParallelRunner({ python: PYTHON });
    const scripts = runner.runScripts([fixture('mark_then_wait.py')], {
      configs: { 'mark_then_wait.py': { args: [dir, path.join(dir, 'never')] } },
    });
    await waitUntil(() => readdirSync(dir).length > 0, 15_000, 'the script to start');
    runner.cancel();
    const scriptError = (await scripts).results[0].error;

    await using scheduler = new AsyncScheduler();
    const jobStarted = createDeferred();
    const id = scheduler.schedule(
      async () => {
        jobStarted.resolve();
        await new Promise(() => undefined);
      },
      { name: 'waits' },
    );
    scheduler.start();
    await jobStarted.promise;
    expect(scheduler.cancel(id)).toBe(true);
    const jobError = scheduler.getJob(id)!.error;

    expect(taskError).toBe('cancelled: runner.cancel() was called');
    expect(scriptError).toBe('cancelled: runner.cancel() was called');
    expect(jobError).toBe("cancelled: scheduler.cancel() was called for job 'waits'");
    for (const error of [taskError, scriptError, jobError]) expect(error).toMatch(/^cancelled: \S/);
  });
});
