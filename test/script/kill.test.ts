// Timeout, abort and close end the whole process tree: SIGTERM to the group, SIGKILL after
// killGraceMs, and a /proc sweep for descendants that escaped the group with setsid.
import { afterAll, describe, expect, it } from 'vitest';
import { runScript } from '../../src/index.ts';
import { resolvePython } from '../../src/script/python.ts';
import { resolveScriptSpec } from '../../src/script/resolve-spec.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import { PYTHON, fixture, processState, waitUntilGone, watchOutput } from './helpers.ts';

describe.each(['spawn', 'forkserver'] as const)('ending a script and its process tree (%s)', (startMethod) => {
  const base = { python: PYTHON, startMethod };
  it('times out, kills the group with SIGTERM and says so', async () => {
    const { onOutput, matched } = watchOutput(/started (\d+)\n/);
    const result = await runScript(fixture('forever.py'), { ...base, timeoutMs: 1500, onOutput });
    await matched;
    expect(result).toMatchObject({
      status: 'timeout',
      signal: 'SIGTERM',
      exitCode: null,
      error: 'timed out after 1500 ms',
    });
    expect(result.stdout).toMatch(/^started \d+\n$/);
    await waitUntilGone(result.pid!);
  });

  it('escalates to SIGKILL after killGraceMs when SIGTERM is ignored', async () => {
    const result = await runScript(fixture('ignore_term.py'), { ...base, timeoutMs: 1000, killGraceMs: 300 });
    expect(result).toMatchObject({ status: 'timeout', signal: 'SIGKILL' });
    await waitUntilGone(result.pid!);
  });

  it('cancels on abort and kills the grandchild in its group', async () => {
    const controller = new AbortController();
    const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
    const running = runScript(fixture('grandchild.py'), { ...base, signal: controller.signal, onOutput });
    const [, pid, grandchild] = await matched;
    expect(processState(Number(grandchild))).not.toBeNull();
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', signal: 'SIGTERM', pid: Number(pid) });
    expect(result.error).toMatch(/^cancelled/);
    await waitUntilGone(Number(pid));
    await waitUntilGone(Number(grandchild)); // reaped by init once killed
  });

  it('sweeps a grandchild that escaped the group with setsid', async () => {
    const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
    const running = runScript(fixture('grandchild.py'), { ...base, args: ['setsid'], timeoutMs: 2000, onOutput });
    const [, pid, grandchild] = await matched;
    const result = await running;
    expect(result.status).toBe('timeout');
    await waitUntilGone(Number(pid));
    await waitUntilGone(Number(grandchild));
  });

  it('kills what a passing script leaves behind in its group', async () => {
    const result = await runScript(fixture('run_with_leftover.py'), base);
    expect(result.status).toBe('passed');
    const leftover = Number(result.stdout.match(/leftover (\d+)/)![1]);
    await waitUntilGone(leftover);
  });

  // Abort takes the main thread's fast path (SIGTERM sent from the pool, not the supervisor):
  // the supervisor must still escalate, still sweep escapees, and still say 'cancelled'.
  it('on abort, escalates to SIGKILL after killGraceMs when SIGTERM is ignored', async () => {
    const controller = new AbortController();
    const { onOutput, matched } = watchOutput(/started (\d+)\n/);
    const running = runScript(fixture('ignore_term.py'), {
      ...base,
      killGraceMs: 300,
      signal: controller.signal,
      onOutput,
    });
    const [, pid] = await matched;
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', signal: 'SIGKILL', pid: Number(pid) });
    await waitUntilGone(Number(pid));
  });

  it('on abort, kills a grandchild that escaped the group with setsid', async () => {
    const controller = new AbortController();
    const { onOutput, matched } = watchOutput(/started (\d+) (\d+)\n/);
    const running = runScript(fixture('grandchild.py'), {
      ...base,
      args: ['setsid'],
      signal: controller.signal,
      onOutput,
    });
    const [, pid, grandchild] = await matched;
    controller.abort();
    const result = await running;
    expect(result).toMatchObject({ status: 'cancelled', pid: Number(pid) });
    await waitUntilGone(Number(pid));
    await waitUntilGone(Number(grandchild));
  });

  it('returns cancelled without spawning when the signal is already aborted', async () => {
    const result = await runScript(fixture('hello.py'), { ...base, signal: AbortSignal.abort() });
    expect(result).toMatchObject({ status: 'cancelled', pid: null, stdout: '' });
  });
});

describe.each(['spawn', 'forkserver'] as const)('SupervisorPool.close (%s)', (startMethod) => {
  const pools: SupervisorPool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
  });

  it('kills every running child and its setsid grandchild, resolving after they are gone', async () => {
    const pool = new SupervisorPool({ size: 2 });
    pools.push(pool);
    const python = await resolvePython(PYTHON);
    const watchers = [watchOutput(/started (\d+) (\d+)\n/), watchOutput(/started (\d+) (\d+)\n/)];
    const runs = watchers.map((w, i) =>
      pool.run(
        resolveScriptSpec(
          fixture('grandchild.py'),
          parseRunScriptOptions({ startMethod, args: i === 0 ? ['setsid'] : [], onOutput: w.onOutput }),
          python,
        ),
        { onOutput: w.onOutput },
      ),
    );
    const pids = (await Promise.all(watchers.map((w) => w.matched))).flatMap((m) => [Number(m[1]), Number(m[2])]);
    await pool.close();
    const results = await Promise.all(runs);
    expect(results.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    expect(results[0].error).toMatch(/closed/);
    for (const pid of pids) await waitUntilGone(pid);
    const late = await pool.run(resolveScriptSpec(fixture('hello.py'), parseRunScriptOptions({ startMethod }), python));
    expect(late.status).toBe('cancelled');
  });
});
