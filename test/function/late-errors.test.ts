// Late errors: a function that throws from a timer (or leaves a rejection unhandled) after
// its call returned is never blamed on another call. The host that ran it is retired once
// its running call answers, the error is logged under the call that raised it, and later
// calls get a clean host: on pool threads and on host processes alike.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { threadCount } from '../../src/function/thread-pool.ts';
import type { ErgateLogger } from '../../src/internal/logger.ts';
import { fixture, isAlive, waitUntil } from './helpers.ts';

afterAll(() => closeFunctionPool());

interface Logged {
  entry: Record<string, unknown>;
  message: string;
}

function collectingLogger(): ErgateLogger & { errors: Logged[] } {
  const errors: Logged[] = [];
  const ignore = (): void => undefined;
  return {
    errors,
    debug: ignore,
    info: ignore,
    warn: ignore,
    error: (entry, message = '') => errors.push({ entry: entry as Record<string, unknown>, message }),
  };
}

type Seen = { sawLate: boolean; pid: number; threadId: number };

describe('an error raised after the call returned', () => {
  it.each(['throw', 'reject'] as const)(
    'on a pool thread (%s): the call running beside it passes, the thread retires, the error is logged under its call',
    async (kind) => {
      // every thread started, so the calls below spread one per thread
      await Promise.all(Array.from({ length: threadCount() * 2 }, () => runFunction(fixture('add'), { args: [1, 2] })));
      const logger = collectingLogger();
      const late = await runFunction<[number, number]>(fixture('raiseLate'), {
        args: [kind, 100],
        name: `late-${kind}`,
        logger,
      });
      expect(late.status).toBe('passed');
      const [, lateThread] = late.result!;
      const gate = new Int32Array(new SharedArrayBuffer(4));
      const running = Promise.all(
        Array.from({ length: threadCount() }, () => runFunction<Seen>(fixture('outlastLateError'), { args: [gate] })),
      );
      await vi.waitFor(() => expect(logger.errors).toHaveLength(1), { timeout: 10_000 });
      // the calls on the other threads wait for this
      Atomics.store(gate, 0, 1);
      const beside = await running;
      // one of them ran on the thread where the error surfaced, and still passed
      expect(beside.map((r) => r.status)).toEqual(beside.map(() => 'passed'));
      expect(beside.filter((r) => r.result!.sawLate).map((r) => r.result!.threadId)).toEqual([lateThread]);
      expect(logger.errors[0].entry).toMatchObject({
        event: 'function.late-error',
        name: `late-${kind}`,
        error: `late ${kind}`,
        errorType: 'Error',
      });
      expect(logger.errors[0].message).toContain('its thread was retired');
      // later calls never meet the retired thread
      const later = await Promise.all(
        Array.from({ length: threadCount() * 2 }, () => runFunction<number>(fixture('hostThreadId'))),
      );
      expect(later.map((r) => r.status)).toEqual(later.map(() => 'passed'));
      expect(later.map((r) => r.result)).not.toContain(lateThread);
    },
  );

  it.each(['throw', 'reject'] as const)(
    'on a host process (%s): the next call on that process passes, then the process is ended',
    async (kind) => {
      const logger = collectingLogger();
      const options = { memoryLimitMb: 96 };
      const late = await runFunction<[number, number]>(fixture('raiseLate'), {
        ...options,
        args: [kind, 100],
        name: `late-${kind}`,
        logger,
      });
      const [latePid] = late.result!;
      const beside = await runFunction<Seen>(fixture('outlastLateError'), options);
      expect(beside).toMatchObject({ status: 'passed', result: { sawLate: true, pid: latePid } });
      expect(logger.errors.map((e) => e.entry)).toMatchObject([{ name: `late-${kind}`, error: `late ${kind}` }]);
      expect(logger.errors[0].message).toContain('its process was retired');
      await waitUntil(() => !isAlive(latePid), 10_000, `retired host ${latePid} to end`);
      const next = await runFunction<number>(fixture('pid'), options);
      expect(next.status).toBe('passed');
      expect(next.result).not.toBe(latePid);
    },
  );

  it('on an idle host process: the host is ended at once and the next call starts a new one', async () => {
    const logger = collectingLogger();
    const late = await runFunction<[number, number]>(fixture('raiseLate'), {
      memoryLimitMb: 97,
      args: ['throw', 20],
      name: 'idle-late',
      logger,
    });
    const [latePid] = late.result!;
    await vi.waitFor(() => expect(logger.errors).toHaveLength(1), { timeout: 10_000 });
    await waitUntil(() => !isAlive(latePid), 10_000, `retired host ${latePid} to end`);
    const next = await runFunction<number>(fixture('pid'), { memoryLimitMb: 97 });
    expect(next).toMatchObject({ status: 'passed' });
    expect(next.result).not.toBe(latePid);
  });

  it.each([{}, { memoryLimitMb: 98 }, { isolate: 'fresh' as const }])(
    "an error from the running call's own timer fails that call with its error (%o)",
    async (options) => {
      const result = await runFunction(fixture('throwFromOwnTimer'), { ...options, timeoutMs: 20_000 });
      expect(result).toMatchObject({
        status: 'failed',
        error: 'thrown from its own timer',
        errorType: 'TypeError',
      });
      expect(result.stack).toContain('fixtures/functions.ts');
      expect(await runFunction(fixture('add'), { ...options, args: [2, 2] })).toMatchObject({ result: 4 });
    },
  );
});
