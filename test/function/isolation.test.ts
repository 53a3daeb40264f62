// Isolation between calls: by default threads and host processes are reused, so module
// state and globalThis persist from one call to the next; `isolate: 'fresh'` runs a call
// in a new isolate of its own (a thread, or a host process with memoryLimitMb).
import { afterAll, describe, expect, it } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { threadCount } from '../../src/function/thread-pool.ts';
import { processHostPids } from '../../src/function/process-pool.ts';
import { fixture, isAlive, waitUntil } from './helpers.ts';

afterAll(() => closeFunctionPool());

async function sequentially(times: number, options: Parameters<typeof runFunction>[1]): Promise<number[]> {
  const seen: number[] = [];
  for (let i = 0; i < times; i++) {
    const result = await runFunction<number>(fixture('bumpGlobal'), options);
    expect(result.status).toBe('passed');
    seen.push(result.result!);
  }
  return seen;
}

describe('isolation between calls', () => {
  it('reuse is the default: globalThis persists between calls on a pooled thread', async () => {
    // More calls than threads: some thread runs at least two, and its second sees the first.
    const seen = await sequentially(threadCount() * 2 + 1, {});
    expect(Math.max(...seen)).toBeGreaterThan(1);
  });

  it("isolate: 'fresh' gives every call a new thread: globalThis starts empty each time", async () => {
    expect(await sequentially(4, { isolate: 'fresh' })).toEqual([1, 1, 1, 1]);
  });

  it("isolate: 'fresh' with memoryLimitMb uses a new host process per call and ends it", async () => {
    expect(await sequentially(3, { isolate: 'fresh', memoryLimitMb: 64 })).toEqual([1, 1, 1]);
    const pids: number[] = [];
    for (let i = 0; i < 3; i++)
      pids.push((await runFunction<number>(fixture('pid'), { isolate: 'fresh', memoryLimitMb: 64 })).result!);
    expect(new Set(pids).size).toBe(3);
    expect(pids).not.toContain(process.pid);
    for (const pid of pids) await waitUntil(() => !isAlive(pid), 10_000, `host ${pid} to end`);
    expect(processHostPids().filter((pid) => pids.includes(pid))).toEqual([]);
  });

  it("a fresh call's timeout and abort still work, and a fresh call never shares the pool's threads", async () => {
    const timedOut = await runFunction(fixture('spinForever'), { isolate: 'fresh', timeoutMs: 300 });
    expect(timedOut).toMatchObject({ status: 'timeout', error: 'timed out after 300 ms' });
    const controller = new AbortController();
    const pending = runFunction(fixture('spinForever'), { isolate: 'fresh', signal: controller.signal });
    controller.abort(new Error('stop it'));
    expect(await pending).toMatchObject({ status: 'cancelled', error: 'cancelled: stop it' });
    const pooled = await runFunction<number>(fixture('hostThreadId'));
    const fresh = await runFunction<number>(fixture('hostThreadId'), { isolate: 'fresh' });
    expect(fresh.result).not.toBe(pooled.result);
  });

  it('refuses an unknown isolate value with a TypeError naming the option', async () => {
    await expect(runFunction(fixture('add'), { isolate: 'new' as 'fresh' })).rejects.toThrow(
      /options\.isolate must be 'reused' or 'fresh'/,
    );
  });
});
