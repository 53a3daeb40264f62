// docs/API.md as an outside test suite reads it: every name, field and default called
// exactly as written there, against real Python children and real threads.
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import mittImport from 'mitt';
import * as ergate from '../../src/index.ts';
import {
  AsyncExecutionResult,
  AsyncJobStatus,
  AsyncParallelRunner,
  AsyncScheduler,
  BatchRunner,
  ExecutionResult,
  ParallelRunner,
  currentSignal,
  runFunction,
  runScript,
} from '../../src/index.ts';

const mitt = mittImport as unknown as typeof mittImport.default;
const FIXTURES = path.resolve(import.meta.dirname, '..', 'fixtures');
const fixture = (name: string): string => path.join(FIXTURES, name);
const python = '/usr/bin/python3';

describe('the contract of docs/API.md', () => {
  it('exports every name', () => {
    for (const name of [
      'runScript',
      'runFunction',
      'ParallelRunner',
      'BatchRunner',
      'ExecutionResult',
      'AsyncParallelRunner',
      'AsyncExecutionResult',
      'currentSignal',
      'AsyncScheduler',
      'AsyncJobStatus',
    ]) {
      expect(ergate, name).toHaveProperty(name);
    }
    expect(AsyncJobStatus).toEqual({
      PENDING: 'pending',
      RUNNING: 'running',
      COMPLETED: 'completed',
      FAILED: 'failed',
      CANCELLED: 'cancelled',
    });
  });

  it('runScript resolves to a ScriptResult with every field', async () => {
    const r = await runScript(fixture('exit_code.py'), { args: ['3'], python, allowedExitCodes: [0] });
    expect(Object.keys(r)).toEqual(
      expect.arrayContaining([
        'script',
        'name',
        'subdirectory',
        'status',
        'exitCode',
        'signal',
        'stdout',
        'stderr',
        'error',
        'startTime',
        'endTime',
        'durationMs',
      ]),
    );
    expect(r).toMatchObject({
      script: fixture('exit_code.py'),
      name: 'exit_code.py',
      subdirectory: 'fixtures',
      status: 'failed',
      exitCode: 3,
      signal: null,
    });
    expect(typeof r.error).toBe('string');
    expect(new Date(r.startTime).toISOString()).toBe(r.startTime);
    const missing = await runScript(fixture('no_such_script.py'), { python });
    expect(missing.status).toBe('error');
    await expect(runScript(fixture('hello.py'), { timeoutMs: -1 })).rejects.toThrow(TypeError);
  });

  it('carries the fields added for test suites: slot, leftovers, tests, testCases, module', async () => {
    const lone = await runScript(fixture('hello.py'), { python });
    expect(lone).toMatchObject({ slot: null, leftovers: [], tests: null, testCases: null });
    const left = await runScript(fixture('leave_sleep.py'), { python });
    const pid = Number(/leftover (\d+)/.exec(left.stdout)![1]);
    expect(left.leftovers).toEqual([{ pid, command: expect.stringContaining('sleep') as string }]);
    const harness = await runScript(fixture('write_junit.py'), { python });
    expect(harness.tests).toEqual({ passed: 1, failed: 1, errors: 0, skipped: 0, xfailed: 0, xpassed: 0 });
    expect(harness.testCases?.map((c) => [c.classname, c.name, c.status])).toEqual([
      ['suite.Orders', 'refund & cancel', 'passed'],
      ['suite.Orders', 'totals', 'failed'],
    ]);
    const module = await runScript(fixture('hello.py'), { python, module: 'py_compile' });
    expect(module).toMatchObject({ status: 'passed', stdout: '' });
    const runner = new ParallelRunner({ maxWorkers: 2, python });
    try {
      const run = await runner.runScripts([fixture('hello.py'), fixture('hello.py'), fixture('hello.py')]);
      for (const r of run.results) {
        expect([0, 1]).toContain(r.slot);
        expect(r.leftovers).toEqual([]);
      }
    } finally {
      await runner.close();
    }
  });

  it('runFunction resolves to a FunctionResult', async () => {
    const r = await runFunction(
      function double(x: number) {
        return x * 2;
      },
      { args: [21] },
    );
    expect(r).toMatchObject({ name: 'double', type: 'function', status: 'passed', result: 42, error: null });
    const thrown = await runFunction(
      () => {
        throw new Error('boom');
      },
      { name: 'thrower' },
    );
    expect(thrown).toMatchObject({ name: 'thrower', status: 'failed', result: null });
    expect(thrown.error).toMatch(/boom/);
  });

  it('ParallelRunner counts every script once and reports progress as written', async () => {
    const events: Array<[string, string]> = [];
    const runner = new ParallelRunner({ maxWorkers: 2, python, onProgress: (s, st) => events.push([s, st]) });
    try {
      const result = await runner.runScripts([fixture('hello.py'), fixture('exit_code.py')], {
        configs: { 'exit_code.py': { args: ['0'] } },
      });
      expect(result).toBeInstanceOf(ExecutionResult);
      expect(result).toMatchObject({ total: 2, passed: 2, failed: 0, timeout: 0, skipped: 0 });
      expect(result.success).toBe(true);
      expect(result.toJSON()).toMatchObject({ total: 2, passed: 2, success: true });
      expect(events[0]).toEqual(['batch', 'started']);
      expect(events.at(-1)).toEqual(['batch', 'completed']);
      expect(events.filter(([, st]) => st === 'submitted')).toHaveLength(2);
    } finally {
      await runner.close();
    }
  });

  it('BatchRunner runs batches in sequence', async () => {
    const runner = new BatchRunner({ maxWorkers: 2 });
    try {
      const results = await runner.runBatches([[fixture('hello.py')], [fixture('hello.py')]], { timeoutMs: 30_000 });
      expect(results).toHaveLength(2);
      expect(results.every((r) => r.passed === 1)).toBe(true);
    } finally {
      await runner.close();
    }
  });

  it('AsyncParallelRunner keeps input order and exposes currentSignal inside tasks', async () => {
    expect(currentSignal()).toBeUndefined();
    const runner = new AsyncParallelRunner({ maxConcurrency: 2 });
    const result = await runner.run([
      [
        'slow',
        async () => {
          await new Promise((r) => setTimeout(r, 20));
          return currentSignal() instanceof AbortSignal;
        },
      ],
      { name: 'fast', fn: (x: unknown) => Promise.resolve(x), args: [7] },
    ]);
    expect(result).toBeInstanceOf(AsyncExecutionResult);
    expect(result.results.map((r) => r.name)).toEqual(['slow', 'fast']);
    expect(result.results.map((r) => r.value)).toEqual([true, 7]);
    expect(result).toMatchObject({ total: 2, passed: 2, failed: 0, cancelled: 0 });
    expect(result.success).toBe(true);
    expect(typeof result.batchId).toBe('string');
  });

  it('AsyncScheduler runs by priority, retries, and emits lifecycle events', async () => {
    const bus = mitt<Record<string, { jobId: string; jobName: string }>>();
    const seen: string[] = [];
    bus.on('*', (type) => seen.push(String(type)));
    const scheduler = new AsyncScheduler({ maxConcurrency: 1, eventBus: bus });
    const order: string[] = [];
    let tries = 0;
    const low = scheduler.schedule(
      () => {
        order.push('low');
        return Promise.resolve();
      },
      { name: 'low', priority: 5 },
    );
    const high = scheduler.schedule(
      () => {
        order.push('high');
        return Promise.resolve();
      },
      { name: 'high', priority: 1 },
    );
    const flaky = scheduler.schedule(
      () => {
        tries += 1;
        return tries < 2 ? Promise.reject(new Error('again')) : Promise.resolve('ok');
      },
      { name: 'flaky', maxRuns: 3, priority: 9 },
    );
    const jobs = await scheduler.runAll();
    expect(order).toEqual(['high', 'low']);
    expect(jobs.get(flaky)).toBe(scheduler.getJob(flaky));
    expect(scheduler.getJob(flaky)).toMatchObject({ status: 'completed', result: 'ok', runs: 2, maxRuns: 3 });
    expect(scheduler.getJob(high)?.startedAt).toBeInstanceOf(Date);
    expect(scheduler.listJobs(AsyncJobStatus.COMPLETED)).toHaveLength(3);
    expect(scheduler.metrics).toMatchObject({ jobsScheduled: 3, jobsCompleted: 3, jobsFailed: 0, jobsCancelled: 0 });
    expect(seen).toEqual(expect.arrayContaining(['job.scheduled', 'job.started', 'job.completed']));
    expect(seen).not.toContain('job.failed'); // a retried run that then completes is one completion
    expect(low).not.toBe(high);
    expect(() => scheduler.listJobs('nope' as never)).toThrow(TypeError);
  });
});
