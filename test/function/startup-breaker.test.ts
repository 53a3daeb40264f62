// Crash-loop breaker: hosts that die while starting are not respawned forever; calls fail
// with a clear 'error' instead, and the breaker lets one attempt through after its cool-down.
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { closeFunctionPool, runFunction } from '../../src/function/index.ts';
import { setProcessHostFileForTests } from '../../src/function/process-pool.ts';
import { setThreadHostUrlForTests } from '../../src/function/thread-pool.ts';
import { fixture } from './helpers.ts';

afterEach(async () => {
  setProcessHostFileForTests(undefined);
  setThreadHostUrlForTests(undefined);
  await closeFunctionPool();
});

describe('process hosts that crash while starting', () => {
  it("give 'error' with the reason after three attempts, without spawning forever", async () => {
    setProcessHostFileForTests(fileURLToPath(new URL('../fixtures/crashing-host.mjs', import.meta.url)));
    const first = await runFunction(fixture('add'), { args: [1, 2], memoryLimitMb: 64 });
    expect(first.status).toBe('error');
    expect(first.error).toBe(
      'the function host process (memory limit 64 MiB) failed to start 3 times in a row, so no new one is started for now ' +
        '(last: exit code 7: host refused to start: broken install)',
    );
    // The breaker is open: the next call fails at once instead of spawning again.
    const second = await runFunction(fixture('add'), { args: [1, 2], memoryLimitMb: 64 });
    expect(second.status).toBe('error');
    expect(second.durationMs).toBeLessThan(1_000);
  });

  it('a working pool after close is not affected by an earlier open breaker', async () => {
    expect(await runFunction(fixture('add'), { args: [1, 2], memoryLimitMb: 64 })).toMatchObject({
      status: 'passed',
      result: 3,
    });
  });
});

describe('thread hosts that crash while starting', () => {
  it("give 'error' with the reason after three attempts, then the breaker answers at once", async () => {
    setThreadHostUrlForTests(new URL('../fixtures/crashing-thread-host.mjs', import.meta.url).href);
    const first = await runFunction(fixture('add'), { args: [1, 2] });
    expect(first.status).toBe('error');
    expect(first.error).toBe(
      'the function host thread failed to start 3 times in a row, so no new one is started for now ' +
        '(last: thread host refused to start: broken install)',
    );
    const second = await runFunction(fixture('add'), { args: [1, 2] });
    expect(second).toMatchObject({ status: 'error', error: first.error });
    expect(second.durationMs).toBeLessThan(1_000);
  });

  it('a new pool after close works again', async () => {
    expect(await runFunction(fixture('add'), { args: [1, 2] })).toMatchObject({ status: 'passed', result: 3 });
  });
});
