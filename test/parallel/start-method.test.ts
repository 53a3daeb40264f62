// startMethod 'forkserver' through ParallelRunner and BatchRunner: every script counted once,
// preloads reach the scripts, fail-fast kills running forks, and close() leaves neither a
// script nor a warm fork server behind (proved by pid; a zombie counts only once reaped).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BatchRunner, ParallelRunner } from '../../src/index.ts';
import { readProcessTable } from '../../src/script/proc-tree.ts';
import { PYTHON, fixture, isGoneSoon, makeTempDir, processState } from './helpers.ts';

const closers: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((r) => r.close()));
});

/** Live script launchers in 'fork' mode started by this process. */
function forkServerPids(): number[] {
  const pids: number[] = [];
  for (const { pid, ppid } of readProcessTable()) {
    if (ppid !== process.pid) continue;
    try {
      if (/launcher\.py\0fork\0/.test(readFileSync(`/proc/${pid}/cmdline`, 'utf8'))) pids.push(pid);
    } catch {
      // exited while we looked
    }
  }
  return pids;
}

describe("ParallelRunner with startMethod 'forkserver'", () => {
  it('runs 20 scripts with correct counts, then close() reaps every script and server', async () => {
    const runner = new ParallelRunner({ python: PYTHON, maxWorkers: 2, startMethod: 'forkserver' });
    closers.push(runner);
    const scripts = Array.from({ length: 20 }, (_, i) => fixture(i % 5 === 4 ? 'fail.py' : 'pass.py'));
    const result = await runner.runScripts(scripts);
    expect(result).toMatchObject({ total: 20, passed: 16, failed: 4, timeout: 0, skipped: 0 });
    expect(result.results.map((r) => r.status)).toEqual(
      scripts.map((s) => (s.endsWith('fail.py') ? 'failed' : 'passed')),
    );
    const servers = forkServerPids();
    // One warm launcher per slot: at most maxWorkers, and none of them a script.
    expect(servers.length).toBeGreaterThanOrEqual(1);
    expect(servers.length).toBeLessThanOrEqual(2);
    const scriptPids = result.results.map((r) => r.pid!);
    expect(new Set(scriptPids).size).toBe(20);
    for (const pid of scriptPids) expect(servers).not.toContain(pid);
    await runner.close();
    for (const pid of [...scriptPids, ...servers]) expect(await isGoneSoon(pid)).toBe(true);
  });

  it('imports the preload list in the server before the scripts start', async () => {
    const dir = makeTempDir();
    const probe = path.join(dir, 'probe.py');
    writeFileSync(probe, "import sys\nprint('decimal' in sys.modules, 'json' in sys.modules)\n");
    const runner = new ParallelRunner({
      python: PYTHON,
      maxWorkers: 1,
      startMethod: 'forkserver',
      preload: ['decimal'],
    });
    closers.push(runner);
    const [warm] = (await runner.runScripts([probe])).results;
    expect(warm.stdout).toBe('True False\n');
    // Per run: back to spawn, the preload does not apply (a fresh python imports neither).
    const [fresh] = (await runner.runScripts([probe], { startMethod: 'spawn' })).results;
    expect(fresh.stdout).toBe('False False\n');
  });

  it('failFast kills the running forks and skips the queued scripts', async () => {
    const pidDir = makeTempDir();
    const runner = new ParallelRunner({ python: PYTHON, maxWorkers: 3, failFast: true, startMethod: 'forkserver' });
    closers.push(runner);
    const fail = path.join(makeTempDir(), 'fails_late.py');
    // Fails only once both forever scripts are running, so the kill path is exercised.
    writeFileSync(
      fail,
      `import os, sys, time\nwhile len(os.listdir(${JSON.stringify(pidDir)})) < 2:\n    time.sleep(0.01)\nsys.exit(1)\n`,
    );
    const forever = fixture('forever.py');
    const result = await runner.runScripts([forever, forever, fail, forever], { env: { PID_DIR: pidDir } });
    expect(result).toMatchObject({ total: 4, failed: 1, skipped: 3 });
    expect(result.results.map((r) => r.status)).toEqual(['cancelled', 'cancelled', 'failed']);
    const pids = readdirSync(pidDir).map(Number);
    expect(pids).toHaveLength(2);
    for (const pid of pids) {
      expect(['R', 'S', 'D', 'T']).not.toContain(processState(pid) ?? 'gone');
      expect(await isGoneSoon(pid)).toBe(true);
    }
  });

  it.each([
    [{ startMethod: 'fork' }, /^ParallelRunner options\.startMethod: expected 'spawn' or 'forkserver', got "fork"$/],
    [
      { startMethod: 'forkserver', preload: 'numpy' },
      /^ParallelRunner options\.preload: expected an array of module names/,
    ],
    [
      { startMethod: 'forkserver', preload: ['os; rm'] },
      /^ParallelRunner options\.preload\.0: expected a module name such as numpy/,
    ],
    [
      { preload: ['json'] },
      /^ParallelRunner options\.preload: only used with startMethod 'forkserver' \(got startMethod 'spawn'\)$/,
    ],
  ])('refuses %j with a TypeError naming the option', (options, message) => {
    expect(() => new ParallelRunner(options as never)).toThrow(TypeError);
    expect(() => new ParallelRunner(options as never)).toThrow(message);
  });

  it('refuses a per-run preload on a spawn run before starting anything', async () => {
    const runner = new ParallelRunner({ python: PYTHON });
    closers.push(runner);
    await expect(runner.runScripts([fixture('pass.py')], { preload: ['json'] })).rejects.toThrow(
      /^runScripts options\.preload: only used with startMethod 'forkserver'/,
    );
  });
});

describe("BatchRunner with startMethod 'forkserver'", () => {
  it('runs batches one after another on warm servers', async () => {
    const runner = new BatchRunner({ python: PYTHON, maxWorkers: 2, startMethod: 'forkserver', preload: ['json'] });
    closers.push(runner);
    const results = await runner.runBatches([[fixture('pass.py'), fixture('pass.py')], [fixture('pass.py')]]);
    expect(results.map((r) => [r.total, r.passed])).toEqual([
      [2, 2],
      [1, 1],
    ]);
    expect(() => new BatchRunner({ preload: ['json'] })).toThrow(
      /^BatchRunner options\.preload: only used with startMethod 'forkserver'/,
    );
  });
});
