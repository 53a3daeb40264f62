// The SIGKILLed-worker case, shared by recovery.test.ts (one Redis) and
// redis-cluster.test.ts (a Redis Cluster): eight 3 s scripts on three workers; once the first
// worker runs two of them it is SIGKILLed. Its children die with it, BullMQ's stalled-job
// check gives its jobs to the others, and the coordinator reports every script once, with
// the attempt count; no child of any worker survives.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'vitest';
import { ParallelRunner } from '../../src/index.ts';
import { isFlaky } from '../../src/cli/reports/run-report.ts';
import { isAlive, PYTHON, readMarks, SCRIPTS, useCluster, waitUntil, type Cluster } from './cluster.ts';

/** Three workers (-j 2) with short locks, so a dead worker's jobs come back within seconds, not BullMQ's 30 s. */
export function useRecoveryCluster(queue: string, on?: { server: { nodes: string } }): Cluster {
  return useCluster({
    queue,
    workers: 3,
    jobs: 2,
    extraArgs: ['--lock-duration', '2s', '--stalled-interval', '1s'],
    marks: 'file',
    ...(on && { on }),
  });
}

export async function recoversKilledWorker(cluster: Cluster, queue: string): Promise<void> {
  const names = Array.from({ length: 8 }, (_, i) => `copy_${i}.py`);
  const copies = fs.mkdtempSync(path.join(SCRIPTS, 'tmp-'));
  try {
    for (const name of names) fs.copyFileSync(path.join(SCRIPTS, 'marked_sleep.py'), path.join(copies, name));
    const scripts = names.map((n) => path.join(copies, n));
    await using runner = new ParallelRunner({
      python: PYTHON,
      backend: { ...cluster.backend, queue, root: SCRIPTS },
    });
    const run = runner.runScripts(scripts, { env: { MARK_DIR: cluster.marks, SLEEP_S: '3' }, timeoutMs: 60_000 });
    // Wait until the victim runs two scripts (each worker takes at most -j 2).
    const victim = cluster.workers[0];
    await waitUntil(
      () => [...readMarks(cluster.marks).values()].filter((m) => m.ancestors.includes(victim.pid)).length === 2,
      'the victim to run two scripts',
    );
    const orphans = [...readMarks(cluster.marks).entries()]
      .filter(([, m]) => m.ancestors.includes(victim.pid))
      .map(([pid]) => pid);
    victim.child.kill('SIGKILL');
    await victim.exited;
    // Its children die with it (parent-death pipe): none lives to finish its sleep.
    await waitUntil(() => orphans.every((pid) => !isAlive(pid)), "the dead worker's children to die");
    for (const pid of orphans) expect(fs.existsSync(path.join(cluster.marks, `${pid}.done`))).toBe(false);

    const result = await run;
    expect(result.toJSON()).toMatchObject({ total: 8, passed: 8, failed: 0, timeout: 0, skipped: 0 });
    expect(result.results.map((r) => r.name).sort()).toEqual([...names].sort());
    const lostNames = orphans.map((pid) => readMarks(cluster.marks).get(pid)!.name);
    for (const r of result.results) {
      const victimRanIt = lostNames.includes(r.name);
      expect(r.attempts).toBe(victimRanIt ? 2 : 1);
      expect((r as { worker?: string }).worker).not.toBe(`${os.hostname()}:${victim.pid}`);
      // A re-run because its worker died is no flaky pass: the lost attempt says where it was
      // lost (the victim; unknown when another worker took the job before the coordinator looked).
      expect(isFlaky(r)).toBe(false);
      if (victimRanIt) {
        expect(r.lostOn).toHaveLength(1);
        expect([`${os.hostname()}:${victim.pid}`, 'an unknown worker']).toContain(r.lostOn![0]);
      } else expect(r.lostOn).toBeUndefined();
    }
    // Every Python child any worker started is gone.
    for (const pid of readMarks(cluster.marks).keys()) expect(isAlive(pid)).toBe(false);
  } finally {
    fs.rmSync(copies, { recursive: true, force: true });
  }
}
