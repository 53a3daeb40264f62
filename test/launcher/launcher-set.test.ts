// A pool wider than its launcher count shares each launcher between slots: never more than
// perLauncher scripts on one, a launcher lost under several scripts fails each of them (and
// leaves none running), and a fork that needs another start environment gets a launcher of
// its own while idle launchers beyond the pool's width retire.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { RunningScript } from '../../src/script/supervise-run.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptResult, ScriptSpec } from '../../src/script/types.ts';
import { specFor, waitUntilGone } from './helpers.ts';

const markThenWait = path.resolve(import.meta.dirname, '..', 'fixtures', 'mark_then_wait.py');

function ppidOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
}

/** Starts n scripts that wait for a go file; resolves once all run, with their handles. */
async function startWaiting(pool: SupervisorPool, n: number, overrides: Partial<ScriptSpec> = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), 'ergate-set-'));
  const go = path.join(dir, 'go');
  const running: RunningScript[] = [];
  let allRunning!: () => void;
  const started = new Promise<void>((resolve) => (allRunning = resolve));
  const results: Array<Promise<ScriptResult>> = [];
  for (let i = 0; i < n; i++) {
    const spec = specFor('unused', { script: markThenWait, args: [dir, go], cwd: dir, ...overrides });
    results.push(
      pool.run(spec, {
        onStart: (run) => {
          running.push(run);
          if (running.length === n) allRunning();
        },
      }),
    );
  }
  await started;
  return { running, results, release: () => writeFileSync(go, '') };
}

describe.each(['spawn', 'forkserver'] as const)('launchers shared between slots (%s)', (startMethod) => {
  it('runs 6 scripts on 2 launchers, 3 on each', async () => {
    await using pool = new SupervisorPool({ size: 6, launchers: 2 });
    const { running, results, release } = await startWaiting(pool, 6, { startMethod });
    const loops = running.map((run) => ppidOf(run.pid));
    const perLoop = new Map<number, number>();
    for (const loop of loops) perLoop.set(loop, (perLoop.get(loop) ?? 0) + 1);
    expect([...perLoop.values()]).toEqual([3, 3]);
    // each loop is the launcher process's own child (its keeper is what Node started)
    expect(new Set([...perLoop.keys()].map(ppidOf))).toEqual(new Set(pool.launcherPids));
    expect(pool.launcherPids).toHaveLength(2);
    release();
    for (const result of await Promise.all(results)) expect(result.status).toBe('passed');
  });

  it('fails each script of a launcher that dies under three, and serves the next on a new one', async () => {
    await using pool = new SupervisorPool({ size: 3, launchers: 1 });
    const { running, results } = await startWaiting(pool, 3, { startMethod });
    const [launcher] = pool.launcherPids;
    process.kill(ppidOf(running[0].pid), 'SIGKILL'); // the launcher loop
    for (const result of await Promise.all(results)) {
      expect(result.status).toBe('error');
      expect(result.error).toMatch(/^the script launcher exited unexpectedly/);
    }
    await waitUntilGone(running.map((run) => run.pid));
    const next = await startWaiting(pool, 1, { startMethod });
    expect(pool.launcherPids).not.toContain(launcher);
    next.release();
    expect((await next.results[0]).status).toBe('passed');
  });
});

describe('forks that need different start environments', () => {
  it('get a launcher each, and only as many idle launchers as the width needs stay', async () => {
    await using pool = new SupervisorPool({ size: 2, launchers: 1 });
    const env = (value: string) => ({ PATH: process.env.PATH ?? '/usr/bin:/bin', ERGATE_SET_TEST: value });
    const a = await startWaiting(pool, 1, { startMethod: 'forkserver', env: env('a') });
    const b = await startWaiting(pool, 1, { startMethod: 'forkserver', env: env('b') });
    expect(ppidOf(a.running[0].pid)).not.toBe(ppidOf(b.running[0].pid));
    expect(pool.launcherPids).toHaveLength(2);
    a.release();
    b.release();
    expect((await a.results[0]).status).toBe('passed');
    expect((await b.results[0]).status).toBe('passed');
    expect(pool.launcherPids).toHaveLength(1);
  });
});
