// AsyncScheduler with backend { redis }: scheduleScript jobs run on a real `ergate worker`
// (-j 1, so BullMQ's order is the start order). Priority and delay are BullMQ's, maxRuns and
// retryDelayMs its attempts + backoff, cancel() removes a waiting job and kills a running one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Queue } from 'bullmq';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { AsyncScheduler, type ScriptResult } from '../../src/index.ts';
import { isAlive, readMarks, SCRIPTS, useCluster, waitUntil } from './cluster.ts';

const QUEUE = 'scheduler';
const cluster = useCluster({ queue: QUEUE, jobs: 1 });
let queue: Queue;

beforeAll(() => {
  queue = new Queue(QUEUE, { connection: { host: '127.0.0.1', port: cluster.redis.port } });
});

afterAll(async () => {
  await queue?.close();
});

const script = (name: string): string => path.join(SCRIPTS, name);
const backend = (): { redis: string; queue: string; root: string } => ({
  redis: cluster.redis.url,
  queue: QUEUE,
  root: SCRIPTS,
});

/** Jobs BullMQ holds for later: waiting, prioritized or delayed. */
async function queued(): Promise<number> {
  const counts = await queue.getJobCounts('wait', 'prioritized', 'delayed');
  return counts.wait + counts.prioritized + counts.delayed;
}

/** Polls Redis (not a sleep: it returns as soon as the jobs are there). */
async function waitForQueued(count: number): Promise<void> {
  const deadline = Date.now() + 30_000;
  while ((await queued()) < count) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${count} queued jobs`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

it('honours priority and delay through BullMQ, whatever the order of scheduling', async () => {
  await using scheduler = new AsyncScheduler({ backend: backend() });
  const log = path.join(cluster.marks, 'order.log');
  const gate = path.join(cluster.marks, 'gate');
  const env = { MARK_DIR: cluster.marks, GATE: gate, ORDER_LOG: log };
  scheduler.start();
  // The blocker holds the worker's only slot while the others queue up behind it.
  const blocker = scheduler.scheduleScript(script('gate.py'), { env, priority: -100 });
  await waitUntil(() => readMarks(cluster.marks).size === 1, 'the blocker to start');
  const scheduledAt = Date.now();
  const ids = {
    low: scheduler.scheduleScript(script('log_order.py'), { env, args: ['low'], priority: 5 }),
    delayed: scheduler.scheduleScript(script('log_order.py'), {
      env,
      args: ['delayed'],
      priority: -50,
      delayMs: 1_500,
    }),
    high: scheduler.scheduleScript(script('log_order.py'), { env, args: ['high'], priority: -5 }),
    middle: scheduler.scheduleScript(script('log_order.py'), { env, args: ['middle'], priority: 0 }),
  };
  // Every job is in Redis before the gate opens: BullMQ alone decides what runs next.
  await waitForQueued(4);
  fs.writeFileSync(gate, '');
  await scheduler.onIdle();
  const jobs = Object.fromEntries(Object.entries(ids).map(([k, id]) => [k, scheduler.getJob(id)!]));
  for (const job of [...Object.values(jobs), scheduler.getJob(blocker)!])
    expect(job).toMatchObject({ status: 'completed', runs: 1 });
  // The delayed job has the best priority, yet could not start before its delay was over.
  const started = fs.readFileSync(log, 'utf8').trim().split('\n');
  expect(started.filter((n) => n !== 'delayed')).toEqual(['high', 'middle', 'low']);
  const delayedStart = Date.parse((jobs.delayed.result as ScriptResult).startTime);
  expect(delayedStart - scheduledAt).toBeGreaterThanOrEqual(1_500);
  for (const job of Object.values(jobs))
    expect((job.result as ScriptResult & { worker?: string }).worker).toBe(
      `${os.hostname()}:${cluster.workers[0].pid}`,
    );
});

it('retries with BullMQ attempts: a script failing its first run passes on the second', async () => {
  await using scheduler = new AsyncScheduler({ backend: backend() });
  const flaky = scheduler.scheduleScript(script('flaky.py'), {
    env: { MARK_DIR: cluster.marks },
    maxRuns: 2,
    retryDelayMs: 20,
  });
  const failing = scheduler.scheduleScript(script('fails.py'), { maxRuns: 2 });
  await scheduler.runAll();
  expect(scheduler.getJob(flaky)).toMatchObject({ status: 'completed', runs: 2, maxRuns: 2, error: null });
  expect(scheduler.getJob(flaky)!.result).toMatchObject({ status: 'passed', attempts: 2 });
  expect(scheduler.getJob(failing)).toMatchObject({ status: 'failed', runs: 2 });
  expect(scheduler.getJob(failing)!.result).toMatchObject({ status: 'failed', exitCode: 3, attempts: 2 });
  expect(scheduler.metrics).toMatchObject({ jobsCompleted: 1, jobsFailed: 1 });
  expect(fs.readFileSync(path.join(cluster.marks, 'flaky-count'), 'utf8')).toBe('2');
});

it('cancel() kills a running job on its worker and removes a waiting one', async () => {
  await using scheduler = new AsyncScheduler({ backend: backend() });
  const env = { MARK_DIR: cluster.marks, ORDER_LOG: path.join(cluster.marks, 'order.log') };
  const running = scheduler.scheduleScript(script('sub/forever.py'), { env });
  const all = scheduler.runAll();
  await waitUntil(() => readMarks(cluster.marks).size === 1, 'the script to start on the worker');
  const [pid] = readMarks(cluster.marks).keys();
  const waiting = scheduler.scheduleScript(script('log_order.py'), { env, args: ['never'] });
  await waitForQueued(1);
  expect(scheduler.cancel(waiting)).toBe(true);
  expect(scheduler.cancel(running)).toBe(true);
  await all;
  expect(scheduler.getJob(running)!.status).toBe('cancelled');
  expect(scheduler.getJob(waiting)!.status).toBe('cancelled');
  // close() waits until the worker has killed the script's process group.
  await scheduler.close();
  await waitUntil(() => !isAlive(pid), 'the cancelled script to die');
  expect(await queued()).toBe(0);
  expect(fs.existsSync(path.join(cluster.marks, 'order.log'))).toBe(false);
});

it('refuses what BullMQ cannot order or carry, naming the option', () => {
  const scheduler = new AsyncScheduler({ backend: backend() });
  expect(() => scheduler.scheduleScript(script('passes.py'), { priority: 1.5 })).toThrow(
    /scheduleScript options\.priority: with a backend, expected an integer/,
  );
  expect(() => scheduler.scheduleScript(script('passes.py'), { onOutput: () => {} })).toThrow(
    /options\.onOutput: live output is not available with a backend/,
  );
  expect(() => new AsyncScheduler({ backend: { redis: 'http://x' } })).toThrow(
    /AsyncScheduler options\.backend\.redis: expected a redis:\/\/ or rediss:\/\/ URL/,
  );
  expect(scheduler.metrics.jobsScheduled).toBe(0);
});
