// Timeouts and cancellation on pool threads: only the thread running the call is ended (and
// replaced); calls waiting for a thread are not charged for the wait; others are unaffected.
import { afterAll, describe, expect, it } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { threadCount } from '../../src/function/thread-pool.ts';
import { fixture, waitUntil } from './helpers.ts';

afterAll(() => closeFunctionPool());

/** Proves a spinning thread was stopped: its shared counter no longer moves. */
async function expectStopped(counter: Int32Array): Promise<void> {
  const seen = Atomics.load(counter, 0);
  // A stopped thread cannot move the counter, so this wait can only fail if it still runs.
  await new Promise((resolve) => setTimeout(resolve, 300));
  expect(Atomics.load(counter, 0)).toBe(seen);
}

describe('timeoutMs', () => {
  it('ends a spin loop with status timeout, then the next call works', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const result = await runFunction(fixture('spinWithHeartbeat'), { args: [counter], timeoutMs: 500 });
    expect(result).toMatchObject({ status: 'timeout', error: 'timed out after 500 ms', result: null });
    expect(Atomics.load(counter, 0)).toBeGreaterThan(0);
    await expectStopped(counter);
    expect(await runFunction(fixture('add'), { args: [1, 2] })).toMatchObject({ status: 'passed', result: 3 });
  });

  it('five concurrent calls: one times out, four complete', async () => {
    const calls = [
      runFunction(fixture('spinForever'), { timeoutMs: 1_000 }),
      ...[1, 2, 3, 4].map((n) => runFunction(fixture('addLater'), { args: [n, 10], timeoutMs: 30_000 })),
    ];
    const [spin, ...rest] = await Promise.all(calls);
    expect(spin.status).toBe('timeout');
    expect(rest.map((r) => [r.status, r.result])).toEqual([
      ['passed', 11],
      ['passed', 12],
      ['passed', 13],
      ['passed', 14],
    ]);
  });

  it('a call waiting for a busy pool is not timed out by the wait', async () => {
    // Fill every thread with a call held on a gate, then queue one more with a short timeout.
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const held = Array.from({ length: threadCount() }, (_, i) =>
      runFunction(fixture('waitForRelease'), { args: [gate, i] }),
    );
    const queued = runFunction(fixture('add'), { args: [2, 2], timeoutMs: 2_000 });
    // Release only after the queued call's timeout would have expired had it been counting.
    await new Promise((resolve) => setTimeout(resolve, 2_500));
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    expect((await Promise.all(held)).map((r) => r.status)).toEqual(held.map(() => 'passed'));
    expect(await queued).toMatchObject({ status: 'passed', result: 4 });
  });
});

describe('signal', () => {
  it('cancels a running call by ending its thread; other calls are unaffected', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const controller = new AbortController();
    const spinning = runFunction(fixture('spinWithHeartbeat'), { args: [counter], signal: controller.signal });
    const others = [1, 2, 3].map((n) => runFunction(fixture('addLater'), { args: [n, n] }));
    await waitUntil(() => Atomics.load(counter, 0) > 0, 20_000, 'the spin loop to start');
    controller.abort();
    const result = await spinning;
    expect(result).toMatchObject({ status: 'cancelled', result: null });
    expect(result.error).toMatch(/^cancelled/);
    await expectStopped(counter);
    expect((await Promise.all(others)).map((r) => r.result)).toEqual([2, 4, 6]);
  });

  it('includes the abort reason in the error', async () => {
    const controller = new AbortController();
    const running = runFunction(fixture('spinForever'), { signal: controller.signal });
    controller.abort(new Error('user pressed stop'));
    expect(await running).toMatchObject({ status: 'cancelled', error: 'cancelled: user pressed stop' });
  });

  it('an already aborted signal runs nothing', async () => {
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const result = await runFunction(fixture('spinWithHeartbeat'), { args: [counter], signal: AbortSignal.abort() });
    expect(result.status).toBe('cancelled');
    expect(Atomics.load(counter, 0)).toBe(0);
  });

  it('a call cancelled while it waits for a thread never runs', async () => {
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const held = Array.from({ length: threadCount() }, (_, i) =>
      runFunction(fixture('waitForRelease'), { args: [gate, i] }),
    );
    const counter = new Int32Array(new SharedArrayBuffer(4));
    const controller = new AbortController();
    const queued = runFunction(fixture('spinWithHeartbeat'), { args: [counter], signal: controller.signal });
    controller.abort();
    expect((await queued).status).toBe('cancelled');
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    await Promise.all(held);
    expect(Atomics.load(counter, 0)).toBe(0);
  });
});
