// Supervisor threads host several supervisors each (at most one thread per core by default):
// every script still gets its own supervisor, a terminated thread ends only the scripts it
// hosted, and close() kills every child on every thread. Proven by pid through /proc.
import { availableParallelism } from 'node:os';
import { afterEach, describe, expect, it } from 'vitest';
import { resolvePython } from '../../src/script/python.ts';
import { resolveScriptSpec } from '../../src/script/resolve-spec.ts';
import { SupervisorPool } from '../../src/script/supervisor-pool.ts';
import type { ScriptResult } from '../../src/script/types.ts';
import { parseRunScriptOptions } from '../../src/script/validate-options.ts';
import { PYTHON, fixture, processState, waitUntilGone, watchOutput } from './helpers.ts';

let pool: SupervisorPool | null = null;
afterEach(async () => {
  await pool?.close();
  pool = null;
});

/** Starts `n` forever.py runs and resolves with their pids once every one has announced itself. */
async function startForever(target: SupervisorPool, n: number) {
  const python = await resolvePython(PYTHON);
  const runs = Array.from({ length: n }, () => {
    const { onOutput, matched } = watchOutput(/started (\d+)\n/);
    const spec = resolveScriptSpec(fixture('forever.py'), parseRunScriptOptions({ onOutput, timeoutMs: 120_000 }), python);
    const result = target.run(spec, { onOutput });
    return { result, pid: matched.then((m) => Number(m[1])) };
  });
  const pids = await Promise.all(runs.map((r) => r.pid));
  return { pids, results: runs.map((r) => r.result) };
}

describe('supervisor threads', () => {
  it('defaults to one thread per core (at least 2), never more than the pool size', () => {
    const expected = Math.min(8, Math.max(2, availableParallelism()));
    expect(new SupervisorPool({ size: 8 }).threadCount).toBe(expected);
    expect(new SupervisorPool({ size: 1 }).threadCount).toBe(1);
    expect(new SupervisorPool({ size: 8, threads: 3 }).threadCount).toBe(3);
  });

  it('runs size scripts at once on at most `threads` threads; close() kills them all', async () => {
    pool = new SupervisorPool({ size: 6, threads: 2 });
    const { pids, results } = await startForever(pool, 6);
    expect(new Set(pids).size).toBe(6);
    for (const pid of pids) expect(['S', 'R']).toContain(processState(pid));
    expect(pool.threads.length).toBeLessThanOrEqual(2);
    await pool.close();
    for (const result of await Promise.all(results)) {
      expect(result.status).toBe('cancelled');
      expect(result.error).toBe('cancelled: the runner was closed');
    }
    for (const pid of pids) await waitUntilGone(pid);
  });

  it('a terminated thread ends only the scripts it hosted; the others run on', async () => {
    pool = new SupervisorPool({ size: 4, threads: 2 });
    const { pids, results } = await startForever(pool, 4);
    expect(pool.threads).toHaveLength(2);
    const settled: Array<ScriptResult | null> = results.map(() => null);
    results.forEach((r, i) => void r.then((result) => { settled[i] = result; }));
    await pool.threads[0]!.terminate();
    const dead = await Promise.race(results);
    expect(dead.status).toBe('error');
    expect(dead.error).toMatch(/supervisor thread died/);
    // Let every rejection from the terminated thread arrive (they come in one burst).
    await new Promise((r) => setImmediate(r));
    const lost = settled.filter((r) => r !== null);
    expect(lost.length).toBeGreaterThanOrEqual(1);
    expect(lost.length).toBeLessThan(4);
    for (const result of lost) expect(result!.status).toBe('error');
    // The scripts on the other thread are still running, untouched.
    const survivors = pids.filter((_, i) => settled[i] === null);
    for (const pid of survivors) expect(['S', 'R']).toContain(processState(pid));
    await pool.close();
    const all = await Promise.all(results);
    expect(all.filter((r) => r.status === 'cancelled')).toHaveLength(survivors.length);
    for (const pid of survivors) await waitUntilGone(pid);
  });
});
