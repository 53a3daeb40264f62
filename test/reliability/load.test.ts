// Load: 10,000 scripts in one ParallelRunner run (fork-server start, so CI stays short), every
// one counted exactly once with its own output; this process's RSS, open fds and descendant
// count sampled during the run stay flat (early vs last quarter, generous slack); and at the
// end no zombie is left, neither among our children nor reparented to pid 1.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ParallelRunner } from '../../src/index.ts';
import { findDescendants } from '../../src/script/proc-tree.ts';
import { PYTHON, openFdCount, processState, waitFor, zombiesOf } from './helpers.ts';

const SCRIPTS = Number(process.env.ERGATE_LOAD_SCRIPTS ?? 10_000);
const DISTINCT = 100;
const WORKERS = 4;
const FINAL = new Set(['passed', 'failed', 'timeout', 'error', 'cancelled']);

interface Sample {
  rssMib: number;
  fds: number;
  descendants: number;
}

function quarterMean(samples: Sample[], which: 'first' | 'second' | 'last', key: keyof Sample): number {
  const q = Math.max(1, Math.floor(samples.length / 4));
  const part =
    which === 'first' ? samples.slice(0, q) : which === 'second' ? samples.slice(q, 2 * q) : samples.slice(-q);
  return part.reduce((sum, s) => sum + s[key], 0) / part.length;
}

describe(`load: ${SCRIPTS} scripts in one run`, () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'ergate-load-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('counts every script once, keeps resources flat and leaves no zombie', async () => {
    const files = Array.from({ length: DISTINCT }, (_, i) => {
      const file = path.join(dir, `s${i}.py`);
      writeFileSync(file, `print("s${i}")\n`);
      return file;
    });
    const scripts = Array.from({ length: SCRIPTS }, (_, i) => files[i % DISTINCT]);
    const initZombiesBefore = new Set(zombiesOf(1));
    let finished = 0;
    const runner = new ParallelRunner({
      maxWorkers: WORKERS,
      python: PYTHON,
      startMethod: 'forkserver',
      onProgress: (name, status) => {
        if (name !== 'batch' && FINAL.has(status)) finished++;
      },
    });
    const samples: Sample[] = [];
    let maxDescendants = 0;
    const sample = (): void => {
      const descendants = findDescendants(process.pid).filter((p) => p.state !== 'Z').length;
      maxDescendants = Math.max(maxDescendants, descendants);
      samples.push({ rssMib: process.memoryUsage().rss / 2 ** 20, fds: openFdCount(), descendants });
    };
    const timer = setInterval(sample, 250);
    let result;
    try {
      result = await runner.runScripts(scripts);
    } finally {
      clearInterval(timer);
    }

    // Every script counted once, each with its own output.
    expect(result.total).toBe(SCRIPTS);
    expect(result.results).toHaveLength(SCRIPTS);
    expect(result.passed).toBe(SCRIPTS);
    expect(result.passed + result.failed + result.timeout + result.skipped).toBe(SCRIPTS);
    expect(finished).toBe(SCRIPTS);
    for (const r of result.results) expect(r.stdout).toBe(`${path.basename(r.script, '.py')}\n`);

    // Flat: the last quarter of the run looks like the first.
    expect(samples.length).toBeGreaterThanOrEqual(8);
    // RSS: from the second quarter on, since the supervisor threads' heaps and malloc arenas
    // warm up over the first thousands of scripts (measured: ~+150 MiB, then a plateau).
    expect(quarterMean(samples, 'last', 'rssMib')).toBeLessThan(quarterMean(samples, 'second', 'rssMib') + 100);
    expect(quarterMean(samples, 'last', 'fds')).toBeLessThan(quarterMean(samples, 'first', 'fds') + 20);
    expect(quarterMean(samples, 'last', 'descendants')).toBeLessThanOrEqual(
      quarterMean(samples, 'first', 'descendants') + WORKERS,
    );
    // Scripts running at once, plus the fork server and its helpers: never a pile-up.
    expect(maxDescendants).toBeLessThanOrEqual(2 * WORKERS + 4);

    await runner.close();
    // No zombie among our descendants, and none of our scripts reparented to pid 1 unreaped.
    // (A zombie counts as dead only once reaped: give the last exits a moment to be reaped.)
    // esbuild is not ours: under tsx each supervisor thread starts an esbuild service whose
    // exit only that thread's loop could reap (source mode only; dist/ runs no esbuild).
    const ourZombies = (): unknown[] =>
      findDescendants(process.pid).filter((p) => p.state === 'Z' && p.comm !== 'esbuild');
    await waitFor(() => ourZombies().length === 0, 'our zombies to be reaped', 10_000).catch(() => undefined);
    expect(ourZombies()).toEqual([]);
    const ourPids = new Set(result.results.map((r) => r.pid));
    const newInitZombies = zombiesOf(1).filter((pid) => !initZombiesBefore.has(pid) && ourPids.has(pid));
    expect(newInitZombies).toEqual([]);
    for (const pid of [...ourPids].slice(-WORKERS * 4)) expect(processState(pid!)).not.toBe('Z');
  }, 480_000); // ~140 s on a quiet 2-core CI machine; more than twice that under load (280 s timed out at load 10-14)
});
