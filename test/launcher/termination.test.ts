// Timeout, cancellation, close() and a dying launcher all end the script's whole process
// group, in both start methods; proved by pid (forever.py starts a grandchild in its group
// and prints both pids).
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptSpec } from '../../src/script/types.ts';
import { outputMatcher, specFor as baseSpec, waitUntilGone } from './helpers.ts';

const STARTED = /started (\d+)(?: (\d+))?\n/;

function pidsOf(match: RegExpExecArray): number[] {
  return match.slice(1).filter(Boolean).map(Number);
}

describe.each(['spawn', 'forkserver'] as const)('termination (%s)', (startMethod) => {
  let server: SupervisorPool;
  beforeEach(() => {
    server = new SupervisorPool({ size: 2 });
  });
  afterEach(async () => {
    await server.close();
  });
  const specFor = (name: string, overrides: Partial<ScriptSpec> = {}) =>
    baseSpec(name, { startMethod, liveOutput: true, ...overrides });

  it('kills the group on timeout and reports it plainly', async () => {
    const watch = outputMatcher(STARTED);
    const running = server.run(specFor('forever.py', { timeoutMs: 1_500 }), { onOutput: watch.onOutput });
    const pids = pidsOf(await watch.match);
    const result = await running;
    expect(result.status).toBe('timeout');
    expect(result.error).toBe('timed out after 1500 ms');
    expect(result.signal).toBe('SIGTERM');
    await waitUntilGone(pids);
  });

  it('escalates to SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const watch = outputMatcher(STARTED);
    const running = server.run(specFor('ignore-term.py', { timeoutMs: 1_000, killGraceMs: 300 }), {
      onOutput: watch.onOutput,
    });
    const [pid] = pidsOf(await watch.match);
    const result = await running;
    expect(result.status).toBe('timeout');
    expect(result.signal).toBe('SIGKILL');
    await waitUntilGone([pid]);
  });

  it('kills the group on abort: status cancelled', async () => {
    const controller = new AbortController();
    const watch = outputMatcher(STARTED);
    const running = server.run(specFor('forever.py'), { signal: controller.signal, onOutput: watch.onOutput });
    const pids = pidsOf(await watch.match);
    controller.abort();
    const result = await running;
    expect(result.status).toBe('cancelled');
    expect(result.error).toBe('cancelled');
    await waitUntilGone(pids);
  });

  it('kills a script that left its process group, on timeout and on abort', async () => {
    const timedOut = server.run(specFor('leave-group.py', { timeoutMs: 2_000 }));
    const controller = new AbortController();
    const watch = outputMatcher(STARTED);
    const cancelled = server.run(specFor('leave-group.py'), { signal: controller.signal, onOutput: watch.onOutput });
    const [pid] = pidsOf(await watch.match);
    controller.abort();
    const results = await Promise.all([timedOut, cancelled]);
    expect(results.map((result) => [result.status, result.signal])).toEqual([
      ['timeout', 'SIGTERM'],
      ['cancelled', 'SIGTERM'],
    ]);
    expect(results[0].stdout).toMatch(STARTED); // it had left its group when the deadline came
    await waitUntilGone([pid, ...pidsOf(STARTED.exec(results[0].stdout)!)]);
  });

  it('does not fork at all when the signal is already aborted', async () => {
    const result = await server.run(specFor('forever.py'), { signal: AbortSignal.abort() });
    expect(result.status).toBe('cancelled');
    expect(result.pid).toBeNull();
  });

  it('close() kills every running group and the launchers', async () => {
    const watches = [outputMatcher(STARTED), outputMatcher(STARTED)];
    const runs = watches.map((watch) => server.run(specFor('forever.py'), { onOutput: watch.onOutput }));
    const pids = (await Promise.all(watches.map((watch) => watch.match))).flatMap(pidsOf);
    const launchers = server.launcherPids;
    expect(launchers).toHaveLength(2);
    await server.close();
    const results = await Promise.all(runs);
    expect(results.map((result) => [result.status, result.error])).toEqual([
      ['cancelled', 'cancelled: the runner was closed'],
      ['cancelled', 'cancelled: the runner was closed'],
    ]);
    await waitUntilGone([...pids, ...launchers]);
  });
});
