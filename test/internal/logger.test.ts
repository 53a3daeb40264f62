// Every failure goes to one logger, as the seed logs "Task %s failed": task, job, function
// and script failures reach the pino-compatible `logger` option (accepted by runFunction,
// AsyncParallelRunner, AsyncScheduler, ParallelRunner and BatchRunner), else debuglog
// 'ergate', with event, name, status, exitCode where it applies, durationMs and error.
/* eslint-disable @typescript-eslint/require-await -- tasks and jobs are async functions by contract; many here finish at once */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  AsyncParallelRunner,
  AsyncScheduler,
  BatchRunner,
  ParallelRunner,
  closeFunctionPool,
  runFunction,
  type ErgateLogger,
} from '../../src/index.ts';
import { fixture as functionFixture } from '../function/helpers.ts';
import { PYTHON, fixture } from '../script/helpers.ts';

const anyNumber = expect.any(Number) as number;

interface Logged {
  level: string;
  entry: Record<string, unknown>;
  msg: string | undefined;
}

function captureLogger(): ErgateLogger & { lines: Logged[]; ends(event: string): Logged[] } {
  const lines: Logged[] = [];
  const at =
    (level: string) =>
    (entry: object, msg?: string): void =>
      void lines.push({ level, entry: entry as Record<string, unknown>, msg });
  return {
    lines,
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    ends: (event) => lines.filter((line) => line.entry.event === event),
  };
}

describe('failures are logged to one logger', () => {
  it('a failed task (AsyncParallelRunner logger option)', async () => {
    const logger = captureLogger();
    await new AsyncParallelRunner({ logger }).run([
      ['fine', async () => 1],
      [
        'doomed',
        async () => {
          throw new TypeError('bad input');
        },
      ],
    ]);
    expect(logger.ends('task.end')).toEqual([
      {
        level: 'warn',
        msg: "task 'doomed' failed",
        entry: { event: 'task.end', name: 'doomed', status: 'failed', durationMs: anyNumber, error: 'bad input' },
      },
    ]);
  });

  it('a failed and a cancelled job (AsyncScheduler logger option)', async () => {
    const logger = captureLogger();
    const scheduler = new AsyncScheduler({ logger });
    scheduler.schedule(
      async () => {
        throw new Error('job broke');
      },
      { name: 'broken' },
    );
    const cancelled = scheduler.schedule(async () => 'never', { name: 'unwanted' });
    scheduler.cancel(cancelled);
    await scheduler.runAll();
    expect(logger.ends('job.end').map((line) => line.entry)).toEqual([
      {
        event: 'job.end',
        name: 'unwanted',
        status: 'cancelled',
        durationMs: 0,
        error: "cancelled: scheduler.cancel() was called for job 'unwanted'",
      },
      { event: 'job.end', name: 'broken', status: 'failed', durationMs: anyNumber, error: 'job broke' },
    ]);
  });

  it("scheduleScript and scheduleFunction jobs log their script's and call's end to the scheduler's logger", async () => {
    const logger = captureLogger();
    const scheduler = new AsyncScheduler({ logger });
    scheduler.scheduleScript(fixture('raise_error.py'), { python: PYTHON });
    scheduler.scheduleFunction(functionFixture('throwRangeError'));
    await scheduler.runAll();
    expect(logger.ends('script.end').map((line) => line.entry)).toMatchObject([
      { name: 'raise_error.py', status: 'failed', exitCode: 1 },
    ]);
    expect(logger.ends('function.end').map((line) => line.entry)).toMatchObject([
      { name: 'throwRangeError', status: 'failed' },
    ]);
    expect(
      logger
        .ends('job.end')
        .map((line) => line.entry.name)
        .sort(),
    ).toEqual(['raise_error.py', 'throwRangeError']);
  });

  it('a failed function call (runFunction logger option)', async () => {
    const logger = captureLogger();
    await runFunction(functionFixture('throwRangeError'), { logger });
    await runFunction(functionFixture('add'), { args: [1, 2], logger });
    await closeFunctionPool();
    expect(logger.ends('function.end').map((line) => line.entry)).toEqual([
      {
        event: 'function.end',
        name: 'throwRangeError',
        status: 'failed',
        durationMs: anyNumber,
        error: 'value out of range',
      },
    ]);
  });

  it('a failed script with its exit code (ParallelRunner and BatchRunner logger option)', async () => {
    for (const make of [
      (logger: ErgateLogger) => new ParallelRunner({ python: PYTHON, logger }),
      (logger: ErgateLogger) => new BatchRunner({ python: PYTHON, logger }),
    ]) {
      const logger = captureLogger();
      await using runner = make(logger);
      const script = fixture('raise_error.py');
      if (runner instanceof ParallelRunner) await runner.runScripts([script]);
      else await runner.runBatches([[script]]);
      const [end] = logger.ends('script.end');
      expect(end).toMatchObject({
        level: 'warn',
        entry: { event: 'script.end', name: 'raise_error.py', status: 'failed', exitCode: 1, durationMs: anyNumber },
      });
      expect(end.entry.error).toEqual(expect.any(String));
    }
  });

  it('refuses a logger without the four methods, naming the option', () => {
    expect(() => new AsyncParallelRunner({ logger: {} as ErgateLogger })).toThrow(
      /AsyncParallelRunner options\.logger: expected a pino-compatible logger/,
    );
    expect(() => new AsyncScheduler({ logger: { info() {} } as unknown as ErgateLogger })).toThrow(
      /AsyncScheduler options\.logger/,
    );
    expect(() => new ParallelRunner({ logger: 'pino' as unknown as ErgateLogger })).toThrow(
      /ParallelRunner options\.logger/,
    );
  });

  it('without a logger option, NODE_DEBUG=ergate shows a failed task on stderr', () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', fixture('log-task-failure.mts')], {
      env: { ...process.env, NODE_DEBUG: 'ergate' },
      encoding: 'utf8',
    });
    expect(run.status).toBe(0);
    expect(run.stderr).toMatch(
      /ERGATE \d+: warn task 'doomed' failed \{"event":"task\.end","name":"doomed","status":"failed","durationMs":[\d.]+,"error":"boom in task"\}/,
    );
  });
});
