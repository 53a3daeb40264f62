// The main-thread fork servers of a SupervisorPool (src/script/forkserver/fork-server-pool.ts)
// and the slots they share with spawn: at most `size` scripts at once across both start
// methods, a run aborted while queued never starts, and an idle pool never keeps Node alive.
import { spawn } from 'node:child_process';
import { afterAll, describe, expect, it } from 'vitest';
import { resolvePython } from '../../src/script/python.ts';
import { resolveScriptSpec } from '../../src/script/resolve-spec.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import { PYTHON, fixture, waitUntilGone, watchOutput } from '../script/helpers.ts';

describe('SupervisorPool slots', () => {
  const pool = new SupervisorPool({ size: 2 });
  afterAll(() => pool.close());

  it('runs at most size scripts across spawn and forkserver; a queued abort never starts', async () => {
    const python = await resolvePython(PYTHON);
    const specFor = (
      name: string,
      startMethod: 'spawn' | 'forkserver',
      onOutput?: (s: 'stdout' | 'stderr', c: string) => void,
    ) => resolveScriptSpec(fixture(name), parseRunScriptOptions({ startMethod, onOutput, timeoutMs: 60_000 }), python);
    const spawned = watchOutput(/started (\d+)\n/);
    const forked = watchOutput(/started (\d+)\n/);
    const stopAll = new AbortController();
    const first = pool.run(specFor('forever.py', 'spawn', spawned.onOutput), {
      onOutput: spawned.onOutput,
      signal: stopAll.signal,
    });
    const second = pool.run(specFor('forever.py', 'forkserver', forked.onOutput), {
      onOutput: forked.onOutput,
      signal: stopAll.signal,
    });
    const pids = (await Promise.all([spawned.matched, forked.matched])).map((m) => Number(m[1]));

    // Both slots are taken: these two wait, in order.
    const queuedAbort = new AbortController();
    const abandoned = watchOutput(/started/);
    const third = pool.run(specFor('forever.py', 'forkserver', abandoned.onOutput), {
      onOutput: abandoned.onOutput,
      signal: queuedAbort.signal,
    });
    const fourth = pool.run(specFor('hello.py', 'forkserver'));
    let fourthDone = false;
    void fourth.then(() => {
      fourthDone = true;
    });
    queuedAbort.abort('no longer needed');
    const aborted = await third;
    expect(aborted).toMatchObject({ status: 'cancelled', error: 'cancelled: no longer needed', pid: null });
    // The fourth still waits: both slots are held by the running scripts.
    await new Promise((r) => setImmediate(r));
    expect(fourthDone).toBe(false);

    stopAll.abort();
    expect((await Promise.all([first, second])).map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
    for (const pid of pids) await waitUntilGone(pid);
    expect((await fourth).status).toBe('passed');
  });
});

describe('SupervisorPool fork servers', () => {
  it('an idle pool does not keep the process alive, and its server dies with it', async () => {
    const driver = spawn(process.execPath, ['--import', 'tsx', fixture('idle-fork-pool.mts')], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    driver.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
    });
    const code = await new Promise<number | null>((resolve) => driver.once('exit', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/^status passed\n/m);
    const server = Number(/^server (\d+)$/m.exec(out)?.[1]);
    expect(server).toBeGreaterThan(0);
    // Orphaned by Node's exit, the server ends itself (EOF on its requests, PDEATHSIG).
    await waitUntilGone(server);
  });
});
