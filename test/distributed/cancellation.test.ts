// fail-fast and cancel() over Redis: waiting jobs are removed from the queue, running ones
// are killed on their worker (process group) through the cancel event, then the run settles
// with every script counted once and no child left.
import path from 'node:path';
import { Redis } from 'ioredis';
import { expect, it } from 'vitest';
import { ParallelRunner } from '../../src/index.ts';
import { isAlive, PYTHON, readMarks, SCRIPTS, useCluster, waitUntil } from './cluster.ts';

const QUEUE = 'cancel';
const cluster = useCluster({ queue: QUEUE, jobs: 2 });

const forever = path.join(SCRIPTS, 'sub/forever.py');

it('fail-fast kills the running scripts and removes the waiting ones', async () => {
  await using runner = new ParallelRunner({
    python: PYTHON,
    failFast: true,
    backend: { redis: cluster.redis.url, queue: QUEUE, root: SCRIPTS },
  });
  // The failer waits for a sibling's pid mark: fail-fast then always has a running child to kill.
  const scripts = [forever, path.join(SCRIPTS, 'fails_after_mark.py'), forever, forever];
  const result = await runner.runScripts(scripts, { env: { MARK_DIR: cluster.marks } });
  expect(result.toJSON()).toMatchObject({ total: 4, failed: 1, passed: 0, timeout: 0, skipped: 3 });
  const statuses = result.results.map((r) => r.status).sort();
  expect(statuses.filter((s) => s === 'failed')).toHaveLength(1);
  expect(statuses.filter((s) => s !== 'failed').every((s) => s === 'cancelled')).toBe(true);
  const killed = result.results.filter((r) => r.status === 'cancelled' && r.pid);
  expect(killed.length).toBeGreaterThanOrEqual(1);
  for (const r of killed) expect(r.error).toMatch(/^cancelled: fail-fast after 'fails_after_mark\.py' failed/);
  expect(readMarks(cluster.marks).size).toBeGreaterThanOrEqual(1);
  for (const pid of readMarks(cluster.marks).keys()) expect(isAlive(pid)).toBe(false);
});

it('cancel() kills running scripts on the worker and settles', async () => {
  await using runner = new ParallelRunner({
    python: PYTHON,
    backend: { redis: cluster.redis.url, queue: QUEUE, root: SCRIPTS },
  });
  const run = runner.runScripts([forever, forever, forever], { env: { MARK_DIR: cluster.marks } });
  await waitUntil(() => readMarks(cluster.marks).size === 2, 'two scripts to start on the worker');
  const pids = [...readMarks(cluster.marks).keys()];
  runner.cancel();
  const result = await run;
  expect(result.toJSON()).toMatchObject({ total: 3, skipped: 3, passed: 0, failed: 0 });
  for (const pid of pids) expect(isAlive(pid)).toBe(false);
  expect(readMarks(cluster.marks).size).toBe(2); // the waiting one never started
  // The kill went out on the cancel stream, not the queue's own (which every worker would read).
  const client = new Redis(cluster.redis.port, '127.0.0.1');
  try {
    expect(await client.xlen(`bull:${QUEUE}-cancel:events`)).toBeGreaterThan(0);
    const own = await client.xrange(`bull:${QUEUE}:events`, '-', '+');
    expect(own.filter(([, fields]) => fields.includes('ergate-cancel'))).toHaveLength(0);
  } finally {
    client.disconnect();
  }
});
