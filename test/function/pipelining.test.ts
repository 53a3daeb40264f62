// Several calls share a thread (the host runs them one at a time): killing the running one
// must hand the others back unstarted, so every call still runs exactly once, a call
// cancelled while queued inside a thread must never run, and no call waits behind a long
// one while another thread is idle (idle threads steal what is queued behind it).
import { afterAll, describe, expect, it } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { threadCount } from '../../src/function/thread-pool.ts';
import { fixture } from './helpers.ts';

afterAll(() => closeFunctionPool());

async function warmPool(): Promise<void> {
  await Promise.all(Array.from({ length: threadCount() * 2 }, () => runFunction(fixture('add'), { args: [0, 0] })));
}

describe('calls sharing a thread', () => {
  it('when a running call is killed, the calls queued behind it run exactly once elsewhere', async () => {
    await warmPool();
    const n = 200;
    const counter = new Int32Array(new SharedArrayBuffer(4 * n));
    // Submitted in one tick: some quick calls are queued inside the spinner's thread.
    const spin = runFunction(fixture('spinForever'), { timeoutMs: 1_000 });
    const quick = Array.from({ length: n }, (_, i) => runFunction(fixture('countRun'), { args: [counter, i] }));
    const results = await Promise.all(quick);
    expect((await spin).status).toBe('timeout');
    expect(results.map((r) => r.result)).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(Array.from(counter)).toEqual(new Array(n).fill(1));
  });

  it('with one spinner and 100 quick calls, every quick call finishes while the spinner still runs', async () => {
    await warmPool();
    const n = 100;
    const counter = new Int32Array(new SharedArrayBuffer(4 * n));
    const heartbeat = new Int32Array(new SharedArrayBuffer(4));
    const stopSpinner = new AbortController();
    let spinnerSettled = false;
    // Submitted in one tick: quick calls are pipelined behind the spinner on its thread.
    const spin = runFunction(fixture('spinWithHeartbeat'), {
      args: [heartbeat],
      timeoutMs: 60_000,
      signal: stopSpinner.signal,
    }).finally(() => (spinnerSettled = true));
    const quick = await Promise.all(
      Array.from({ length: n }, (_, i) => runFunction(fixture('countRun'), { args: [counter, i] })),
    );
    expect(spinnerSettled).toBe(false);
    expect(Atomics.load(heartbeat, 0)).toBeGreaterThan(0);
    expect(quick.map((r) => r.status)).toEqual(new Array(n).fill('passed'));
    expect(Array.from(counter)).toEqual(new Array(n).fill(1));
    stopSpinner.abort();
    expect((await spin).status).toBe('cancelled');
  });

  it('a call cancelled while queued inside a thread never runs', async () => {
    await warmPool();
    const gate = new Int32Array(new SharedArrayBuffer(4));
    const held = Array.from({ length: threadCount() }, (_, i) =>
      runFunction(fixture('waitForRelease'), { args: [gate, i] }),
    );
    const counter = new Int32Array(new SharedArrayBuffer(4 * 8));
    const controllers = Array.from({ length: 8 }, () => new AbortController());
    const queued = controllers.map((controller, i) =>
      runFunction(fixture('countRun'), { args: [counter, i], signal: controller.signal }),
    );
    for (const controller of controllers.filter((_, i) => i % 2 === 0)) controller.abort();
    Atomics.store(gate, 0, 1);
    Atomics.notify(gate, 0);
    expect((await Promise.all(held)).every((r) => r.status === 'passed')).toBe(true);
    const statuses = (await Promise.all(queued)).map((r) => r.status);
    expect(statuses).toEqual([
      'cancelled',
      'passed',
      'cancelled',
      'passed',
      'cancelled',
      'passed',
      'cancelled',
      'passed',
    ]);
    expect(Array.from(counter)).toEqual([0, 1, 0, 1, 0, 1, 0, 1]);
    // The threads are still healthy afterwards.
    expect(await runFunction(fixture('add'), { args: [1, 1] })).toMatchObject({ status: 'passed', result: 2 });
  });
});
