// memoryLimitMb: calls run in heap-limited child processes, so a fatal V8 out-of-memory
// (which would abort the whole process from a worker thread on Node 20) kills only the
// host; the caller survives, the next call works, and no host outlives its call's limits.
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { processHostPids } from '../../src/function/process-pool.ts';
import { fixture, isAlive, waitUntil } from './helpers.ts';

afterAll(() => closeFunctionPool());

describe('memoryLimitMb', () => {
  it('one huge allocation under 32 MiB fails the call, not the caller; the next call works', async () => {
    const result = await runFunction(fixture('fillHugeArray'), { memoryLimitMb: 32 });
    expect(result).toMatchObject({ status: 'failed', isolation: 'process', result: null });
    expect(result.error).toBe('memory limit of 32 MiB exceeded (JavaScript heap out of memory)');
    expect(await runFunction(fixture('add'), { args: [2, 3], memoryLimitMb: 32 })).toMatchObject({
      status: 'passed',
      result: 5,
    });
  });

  it('a push loop under 32 MiB fails the same way', async () => {
    const result = await runFunction(fixture('pushForever'), { memoryLimitMb: 32 });
    expect(result.status).toBe('failed');
    expect(result.error).toMatch(/^memory limit of 32 MiB exceeded/);
    expect(await runFunction((n: number) => n + 1, { args: [1], memoryLimitMb: 32 })).toMatchObject({
      status: 'passed',
      result: 2,
    });
  });

  it('reuses a host process between calls with the same limit', async () => {
    const first = await runFunction<number>(fixture('pid'), { memoryLimitMb: 48 });
    const second = await runFunction<number>(fixture('pid'), { memoryLimitMb: 48 });
    expect(first.status).toBe('passed');
    expect(first.result).not.toBe(process.pid);
    expect(second.result).toBe(first.result);
  });

  it('runs module exports, plain functions and reports throws like threads do', async () => {
    const thrown = await runFunction(fixture('throwRangeError'), { memoryLimitMb: 64 });
    expect(thrown).toMatchObject({ status: 'failed', error: 'value out of range', errorType: 'RangeError' });
    expect(await runFunction(fixture('noSuchExport'), { memoryLimitMb: 64 })).toMatchObject({ status: 'error' });
    const uncloneable = await runFunction((x: unknown) => x, { args: [() => 1], memoryLimitMb: 64 });
    expect(uncloneable.status).toBe('error');
    expect(uncloneable.error).toMatch(/^the arguments could not be sent to the function/);
    expect((await runFunction(fixture('returnUncloneable'), { memoryLimitMb: 64 })).error).toMatch(
      /^the result could not be sent back/,
    );
  });

  it('a timeout kills the host process (by pid) and a new one serves the next call', async () => {
    const before = await runFunction<number>(fixture('pid'), { memoryLimitMb: 40 });
    const spin = await runFunction(fixture('spinForever'), { memoryLimitMb: 40, timeoutMs: 500 });
    expect(spin).toMatchObject({ status: 'timeout', error: 'timed out after 500 ms' });
    // The idle host took the spin call, so its pid is the one that had to die.
    await waitUntil(() => !isAlive(before.result!), 10_000, `host ${before.result} to be reaped`);
    const after = await runFunction<number>(fixture('pid'), { memoryLimitMb: 40 });
    expect(after.status).toBe('passed');
    expect(after.result).not.toBe(before.result);
  });

  it('an abort kills the host process running the call', async () => {
    const host = await runFunction<number>(fixture('pid'), { memoryLimitMb: 56 });
    const controller = new AbortController();
    const marker = path.join(mkdtempSync(path.join(tmpdir(), 'ergate-fn-')), 'pid');
    const running = runFunction(fixture('writePidThenSpin'), {
      args: [marker],
      memoryLimitMb: 56,
      signal: controller.signal,
    });
    await waitUntil(() => existsSync(marker), 20_000, 'the call to start');
    expect(readFileSync(marker, 'utf8')).toBe(String(host.result));
    controller.abort();
    expect((await running).status).toBe('cancelled');
    await waitUntil(() => !isAlive(host.result!), 10_000, `host ${host.result} to be reaped`);
  });

  it('closeFunctionPool kills every host process', async () => {
    await runFunction(fixture('pid'), { memoryLimitMb: 72 });
    const pids = processHostPids();
    expect(pids.length).toBeGreaterThan(0);
    await closeFunctionPool();
    expect(pids.filter(isAlive)).toEqual([]);
    expect(processHostPids()).toEqual([]);
  });
});
